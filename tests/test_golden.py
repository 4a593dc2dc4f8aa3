from golden import GOLDEN, generated_pages


def test_mini_project_renders_exactly_the_golden_pages(tmp_path):
    pages = generated_pages(tmp_path)
    golden = {str(p.relative_to(GOLDEN)): p.read_text() for p in sorted(GOLDEN.rglob("*.md"))}
    assert sorted(pages) == sorted(golden), "pages added or removed: python tests/golden.py --regenerate"
    for relative, text in golden.items():
        assert pages[relative] == text, f"{relative} differs from tests/golden/mini/{relative}"
