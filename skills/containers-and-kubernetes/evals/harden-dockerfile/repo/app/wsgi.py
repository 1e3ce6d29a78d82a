import subprocess
import tempfile

from flask import Flask, request, send_file

app = Flask(__name__)


@app.post("/render")
def render():
    with tempfile.TemporaryDirectory() as work:
        source = f"{work}/report.html"
        target = f"{work}/report.pdf"
        request.files["report"].save(source)
        subprocess.run(["pdfshrink", "--from-html", source, "--out", target], check=True)
        return send_file(target, mimetype="application/pdf")


@app.get("/healthz")
def healthz():
    return "ok"
