"""Static report site generator: data/ -> Markdown in docs/ -> MkDocs site/."""
