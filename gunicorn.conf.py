"""gunicorn reads this from the folder it starts in (docs/deploy.md): settings that belong to the
app rather than to one installation."""

# The access log (when an installation switches it on) without reset, confirmation or feed tokens.
logger_class = "volunteers.core.logs.RedactingGunicornLogger"


def post_worker_init(worker):
    # Templates compiled and language data loaded before the first request, then frozen for the GC.
    from volunteers.core.serve import settle

    settle(worker.wsgi)
