"""The baseline: a bare Flask app with one short text response, served by the same gunicorn
settings as Treffpunkt (`gunicorn --chdir bench/feeds bare:app`), so that the feeds' requests per
second can be read as a share of what Flask and gunicorn alone manage on this machine."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return "hello", 200, {"Content-Type": "text/plain; charset=utf-8"}
