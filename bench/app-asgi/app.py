"""The ASGI benchmark app: bench/app's serving endpoints in FastAPI, async
throughout, as FastAPI apps are usually written. /cpu does the same work
as bench/app's (work.py, an identical copy) on the event loop; /sleep
awaits 20 ms (an I/O-like wait that yields the loop)."""
import asyncio

from fastapi import FastAPI

from work import cpu_work

VERSION = "v0"

app = FastAPI()


@app.get("/")
async def index():
    return {"ok": True, "version": VERSION}


@app.get("/json")
async def small_json():
    return {"message": "hello", "version": VERSION, "items": [1, 2, 3]}


@app.get("/cpu")
async def cpu():
    return cpu_work()


@app.get("/sleep")
async def sleep():
    await asyncio.sleep(0.02)  # an I/O-like wait of 20 ms
    return {"slept_ms": 20, "version": VERSION}
