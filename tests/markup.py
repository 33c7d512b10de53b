"""Markdown that Discord would act on, for tests that feed the bot text that must stay inert."""

MARKDOWN = (
    "**",
    "__",
    "~~",
    "`",
    "```",
    "> ",
    ">>> ",
    "# ",
    "-# ",
    "- ",
    "1. ",
    "[link](https://example.com)",
    "https://example.com/a_b||c@d*e",
)
