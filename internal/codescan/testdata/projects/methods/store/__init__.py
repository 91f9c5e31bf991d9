from .accounts import Account
