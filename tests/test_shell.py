"""The run-script tokenizer: commands, their file lines, and what it must not mistake for one."""

from platform_skills.readers.shell import split_commands


def commands(script, first_line=10):
    lines = [(first_line + i, text) for i, text in enumerate(script.split("\n"))]
    return [(c.line, [t.text for t in c.argv], [t.text for t in c.assignments])
            for c in split_commands(lines)]


def test_separators_continuations_and_lines():
    got = commands('echo a && cosign sign \\\n  --yes "img@${D}"; trivy image x | tee out\nls')
    assert got == [(10, ["echo", "a"], []), (10, ["cosign", "sign", "--yes", "img@${D}"], []),
                   (11, ["trivy", "image", "x"], []), (11, ["tee", "out"], []), (12, ["ls"], [])]


def test_expressions_with_spaces_stay_one_word():
    got = commands("cosign sign ${{ env.IMAGE }}@${{ steps.build.outputs.digest }}")
    assert got == [(10, ["cosign", "sign", "${{ env.IMAGE }}@${{ steps.build.outputs.digest }}"], [])]


def test_comments_and_heredocs_are_not_commands_substitutions_are_read_after():
    script = ("# cosign sign not-a-command:latest\n"
              "cat <<'EOF' > notes.txt\n"
              "cosign sign inside-heredoc:latest\n"
              "EOF\n"
              "REF=$(crane digest x) cosign sign \"x@${REF}\" # trailing comment")
    got = commands(script)
    assert got == [(11, ["cat", ">", "notes.txt"], []),
                   (14, ["cosign", "sign", "x@${REF}"], ["REF=$(crane digest x)"]),
                   (14, ["crane", "digest", "x"], [])]  # what $(...) runs, on its line


def test_keywords_and_quotes():
    got = commands("if [ -n \"$X\" ]; then cosign sign 'a b'; fi")
    assert got[1] == (10, ["cosign", "sign", "a b"], [])


def test_plain_fast_path_matches_the_full_tokenizer():
    plain = "go test -race ./...\nmake build"
    quoted = "go test -race ./... ''\nmake build ''"
    def words(script):
        return [(line, [w for w in argv if w]) for line, argv, _ in commands(script)]
    assert words(plain) == words(quoted) == [(10, ["go", "test", "-race", "./..."]),
                                             (11, ["make", "build"])]


def test_quoted_runs_are_copied_whole_and_a_trailing_backslash_in_quotes_is_kept():
    got = commands("cosign sign --yes \"${IMAGE}@${DIGEST}\" 'a b;c|d' x#y\n"
                   "echo \"one\\\ntwo\" done")
    assert got == [(10, ["cosign", "sign", "--yes", "${IMAGE}@${DIGEST}", "a b;c|d", "x#y"], []),
                   (11, ["echo", "one\\\ntwo", "done"], [])]
