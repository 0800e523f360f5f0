"""Search: the tag query language (`tag_query`), result orders (`sorting`) and the paged search
API (`search_service`).

Nothing is imported here: the window's start-up read needs only `sorting`, and importing the
query language's parser beside it would put it on the way to the first paint.
"""
