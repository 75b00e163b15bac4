"""`vtl playground`: the API Gateway console's Test page, local, in a browser.

    vtl playground [TEMPLATE ...] [--api FILE] [--port N] [--host H] [--no-browser]

`command` sets up the command line (and imports nothing heavy: Starlette and uvicorn are the
optional `playground` extra, imported when the command runs); `server` is the web application
and its guards (`guard`); renders run in worker processes (`workers`) that call `jobs`; `form`
reads the page's request form; `files` saves templates and test cases; `static/` is the page.
docs/playground.md describes it.
"""
