"""The benchmark app: Flask, plus psycopg2, which ships no wheels, so every
contender's builder compiles it against libpq. The bench rewrites VERSION
to make a source-only change. The serving scenario measures /cpu (CPU-bound)
and /sleep (I/O-bound); bench/app-asgi is the same app in FastAPI."""
import time

import psycopg2
from flask import Flask, jsonify

from work import cpu_work

VERSION = "v0"

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(ok=True, version=VERSION)


@app.get("/json")
def small_json():
    return jsonify(message="hello", version=VERSION, libpq=psycopg2.__libpq_version__, items=[1, 2, 3])


@app.get("/cpu")
def cpu():
    return jsonify(cpu_work())


@app.get("/sleep")
def sleep():
    time.sleep(0.02)  # an I/O-like wait of 20 ms
    return jsonify(slept_ms=20, version=VERSION)
