from mlscaffold.cli import app

app(prog_name="mlscaffold")
