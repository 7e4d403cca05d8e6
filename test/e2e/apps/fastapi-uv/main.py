"""FastAPI, installed with uv from uv.lock, served by gunicorn's uvicorn worker."""
import os

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    return {"app": "fastapi-uv", "uid": os.getuid(), "gid": os.getgid()}


@app.get("/healthz")
def healthz():
    return {"ok": True}
