from .public import public


@public.get("/status/{code}")
def status(code: str):
    return {"code": code}
