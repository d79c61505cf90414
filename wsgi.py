from volunteers import create_app

app = create_app()
