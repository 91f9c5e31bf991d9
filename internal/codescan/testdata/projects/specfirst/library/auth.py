import os

import jwt


def decode_token(token):
    return jwt.decode(token, os.environ["JWT_KEY"], algorithms=["HS256"])
