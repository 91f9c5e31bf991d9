from fastapi import Depends, FastAPI

from .deps import staff_only, get_current_user
from .routers import notes, ops
from .routers.accounts import router as accounts_router
from .routers.public import public

app = FastAPI(title="Notes")
app.include_router(notes.router, prefix="/api")
app.include_router(accounts_router, prefix="/api/accounts")
app.include_router(ops.admin, prefix="/api/admin", dependencies=[Depends(staff_only)])
app.include_router(ops.maintenance, prefix="/api/admin/maintenance", dependencies=[Depends(get_current_user)])
app.include_router(public)
