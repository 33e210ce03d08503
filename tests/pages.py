"""Pieces of a rendered page, for tests that look at its HTML."""


def posted_form(page: str, url: str) -> str:
    """The HTML of the first form in `page` that posts to `url`, up to its end."""
    form = page[page.index(f'<form method="post" action="{url}">') :]
    return form[: form.index("</form>")]
