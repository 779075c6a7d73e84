"""Who may see the Newsdesk page: Airflow's own users, checked the way Airflow's API checks them.

Plugin apps mounted with ``fastapi_apps`` get no authentication from Airflow, so every route
depends on ``require_viewer``. It hands the request to Airflow's ``get_user`` (an explicit
``Authorization: Bearer <JWT>`` wins; otherwise the UI's ``_token`` cookie, or the user the
API server's JWT refresh middleware already validated from that cookie), then asks the
configured auth manager whether that user may view the custom view ``Newsdesk``.
Missing or expired token: 401; invalid token or not allowed: 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

if TYPE_CHECKING:
    from airflow.api_fastapi.auth.managers.models.base_user import BaseUser

# The auth manager's resource name for this page (FAB maps it to a permission; the simple
# auth manager lets every role from VIEWER up see custom views).
RESOURCE_NAME = "Newsdesk"

_bearer = HTTPBearer(auto_error=False)


async def require_viewer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> BaseUser:
    # Imported here: only the API server needs Airflow's API security machinery, while the
    # scheduler and every task process import the plugin module too.
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.core_api.security import get_user

    user = await get_user(request, _oauth_token=None, bearer_credentials=credentials)
    if not get_auth_manager().is_authorized_custom_view(method="GET", resource_name=RESOURCE_NAME, user=user):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Forbidden")
    return user
