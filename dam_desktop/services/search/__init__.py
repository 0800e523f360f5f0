"""Search: the tag query language, result orders and the paged search API (`search_service`)."""

from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query.errors import QueryError, QuerySyntaxError, QueryTermError

__all__ = ["QueryError", "QuerySyntaxError", "QueryTermError", "SortKey"]
