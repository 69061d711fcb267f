"""The marker for everything a handler gets through Litestar's DI.

Injected values are ports and services built once in create_app: they are
named explicitly and never validated per request (Protocols can't be, and
checking a service object on every request would only cost time).
"""

from typing import Annotated, TypeAlias, TypeVar

from litestar.di import Dependency
from litestar.params import SkipValidationMarker

T = TypeVar("T")

Injected: TypeAlias = Annotated[T, Dependency(kind="named"), SkipValidationMarker()]
