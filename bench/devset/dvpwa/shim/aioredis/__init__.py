"""Stand-in for aioredis, over Debian's redis.asyncio.

dvpwa (sqli/services/redis.py) calls the aioredis 1.x API: create_pool((host, port), db=...),
then close() and wait_closed(). aiohttp-session's RedisStorage (Debian 2.11) wants an
aioredis>=2.0 Redis instance. Debian's aioredis is 1.3.1, so neither is satisfied by it:
this module gives both sides what they ask for with redis.asyncio.Redis.
"""
import redis.asyncio

__version__ = "2.0.1"


class Redis(redis.asyncio.Redis):
    def close(self):
        # aioredis 1.x: close() starts closing, wait_closed() waits for it.
        self._closing = super().close()

    async def wait_closed(self):
        closing = getattr(self, "_closing", None)
        if closing is not None:
            await closing


async def create_pool(address, db=0, **kwargs):
    host, port = address
    return Redis(host=host, port=port, db=db)
