"""What the outside-text tests share: crafted texts, an independent Markdown parser (markdown-it-py), and what a
message's code spans spell when that parser reads it."""
from markdown_it import MarkdownIt

from ui.text import markdown

PARSER = MarkdownIt("gfm-like")  # tables, strikethrough and bare links (www..., https://..., name@host)
ATTACKS = [
    "[Log in again](https://evil.example/login)",
    "![t](https://evil.example/t.png)",
    "**bold** [x](javascript:alert(1)) ![t](https://evil.example/t.png)",
    "https://evil.example/x www.evil.example a@evil.example",
    "<img src=https://evil.example/h.png><script>alert(1)</script>",
    "__class__", ":material/home: :smile: :streamlit: a -> b", "$x^2$ :red[x]", "`a` ``b`` ```",
    " leading and trailing ", "   ", "[x]: http://evil.example/ref", "# heading", "- item", "| a | b |",
]


def inline_tokens(message: str) -> list:
    return [child for token in PARSER.parse(markdown(message)) if token.children for child in token.children]


def code_text(message: str) -> str:
    """What the message's code spans spell, with a ':material' split's slash put back (ui/text.py)."""
    tokens = inline_tokens(message)
    out = []
    for index, token in enumerate(tokens):
        if token.type == "code_inline":
            out.append(token.content)
        elif token.type == "text" and token.content == "/" and 0 < index < len(tokens) - 1:
            out.append("/")
    return "".join(out)
