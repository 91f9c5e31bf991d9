"""Stand-in for the part of trafaret (not in Debian) that dvpwa uses.

dvpwa builds schemas with Dict, Key, String and Int, calls check_and_return on them,
and reads DataError.as_dict() for form errors. Only those are here.
"""

__all__ = ["DataError", "Dict", "Int", "Key", "String"]


class DataError(ValueError):
    def __init__(self, error=None):
        super().__init__(error)
        self.error = error

    def as_dict(self):
        if isinstance(self.error, dict):
            return {k: (v.as_dict() if isinstance(v, DataError) else v) for k, v in self.error.items()}
        return self.error


class Trafaret:
    def check(self, value):
        return self.check_and_return(value)


class String(Trafaret):
    def __init__(self, allow_blank=False, min_length=None, max_length=None):
        self.allow_blank = allow_blank
        self.min_length = min_length
        self.max_length = max_length

    def check_and_return(self, value):
        if not isinstance(value, str):
            raise DataError("value is not a string")
        if not value and not self.allow_blank:
            raise DataError("blank value is not allowed")
        if self.min_length is not None and len(value) < self.min_length:
            raise DataError("String is shorter than %d characters" % self.min_length)
        if self.max_length is not None and len(value) > self.max_length:
            raise DataError("String is longer than %d characters" % self.max_length)
        return value


class Int(Trafaret):
    def __init__(self, gte=None, lte=None):
        self.gte = gte
        self.lte = lte

    def check_and_return(self, value):
        if isinstance(value, bool):
            raise DataError("value is not int")
        try:
            n = int(value)
        except (TypeError, ValueError):
            raise DataError("value can't be converted to int")
        if self.gte is not None and n < self.gte:
            raise DataError("value is less than %d" % self.gte)
        if self.lte is not None and n > self.lte:
            raise DataError("value is greater than %d" % self.lte)
        return n


class Key:
    def __init__(self, name, optional=False):
        self.name = name
        self.optional = optional


class Dict(Trafaret):
    def __init__(self, keys):
        self.keys = [(k if isinstance(k, Key) else Key(k), t) for k, t in keys.items()]

    def check_and_return(self, value):
        if not hasattr(value, "get"):
            raise DataError("value is not a dict")
        out, errors = {}, {}
        for key, trafaret in self.keys:
            if key.name not in value:
                if not key.optional:
                    errors[key.name] = DataError("is required")
                continue
            try:
                out[key.name] = trafaret.check_and_return(value[key.name])
            except DataError as e:
                errors[key.name] = e
        if errors:
            raise DataError(errors)
        return out
