#!/usr/bin/env python3
"""The shell completion of `vipctl completion bash|zsh` against the programs' own --help
texts: every vipctl command (the registry's rows, plus decode, help, completion), every option
of each command's usage, vipctl's global options and vipd's options are offered, and nothing
the help texts do not know. The bash script is run (its completion functions are called with
COMP_WORDS as bash sets them, all queries in one bash process); the zsh script is parsed by
zsh, its command list evaluated by zsh and each command's options read back.

Usage: VIPD_BINARY_DIR=build/dev completion_test.py
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

failures = []


def run(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        failures.append(f"{' '.join(cmd)}: exit status {r.returncode}: {r.stderr.strip()}")
    return r


def section(text, title):
    """The lines of a usage text from `title` to the next blank line."""
    m = re.search(rf"^{title}\n(.*?)(?:\n\n|\Z)", text, re.M | re.S)
    return m.group(1) if m else ""


def help_options(text):
    """Option spellings of the option lines ("  -s, --socket PATH   ...") of a usage text."""
    out = set()
    for line in text.split("\n"):
        if not re.match(r"^ {2,6}-", line):
            continue
        head = re.split(r" {2,}", line.strip())[0]
        out.update(re.findall(r"(?:^|[ ,])(-{1,2}[A-Za-z][A-Za-z-]*)", head))
    return out


def same_set(what, want, got):
    if want - got:
        failures.append(f"{what}: not offered: {' '.join(sorted(want - got))}")
    if got - want:
        failures.append(f"{what}: offered but not in the help text: {' '.join(sorted(got - want))}")


def bash_completions(script, queries):
    """What bash offers for each query (a list of words, the last one being completed)."""
    lines = [f"source {script} || exit 1"]
    for i, words in enumerate(queries):
        quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
        lines.append(f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=(); "
                     f"_{words[0]}; echo '### {i}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    r = subprocess.run(["bash", "-c", "\n".join(lines)], capture_output=True, text=True,
                       timeout=30)
    if r.returncode != 0:
        failures.append(f"bash completion: exit status {r.returncode}: {r.stderr.strip()}")
    answers, current = [], None
    for line in r.stdout.split("\n"):
        if line.startswith("### "):
            current = set()
            answers.append(current)
        elif current is not None and line:
            current.add(line)
    return answers if len(answers) == len(queries) else [set()] * len(queries)


def main():
    binary = Path(os.environ["VIPD_BINARY_DIR"])
    vipctl, vipd = str(binary / "vipctl"), str(binary / "vipd")
    tmp = Path(tempfile.mkdtemp())
    try:
        bash_script, zsh_script = tmp / "vipctl.bash", tmp / "_vipctl"
        bash_script.write_text(run(vipctl, "completion", "bash").stdout)
        zsh_script.write_text(run(vipctl, "completion", "zsh").stdout)
        if run(vipctl, "completion", "fish", check=False).returncode != 2:
            failures.append("vipctl completion fish: expected exit status 2 (usage)")

        usage = run(vipctl, "--help").stdout
        commands = {line.split()[0] for line in section(usage, "Commands:").split("\n") if line.strip()}
        if len(commands) < 15:
            failures.append(f"vipctl --help lists only {len(commands)} commands")
        options = {}
        for c in commands - {"completion"}:
            text = run(vipctl, "help", c).stdout
            options[c] = help_options(section(text, "Options:")) | {"--help"}
            if c == "decode":
                options[c].add("-h")
        vipd_options = help_options(run(vipd, "--help").stdout)
        (tmp / "prefixes.txt").touch()

        # ---- bash: call the functions -------------------------------------------------------
        queries = [["vipctl", ""], ["vipctl", "help", ""], ["vipctl", "-"],
                   ["vipctl", "completion", ""], ["vipctl", "announce", "--file", f"{tmp}/pre"],
                   ["vipctl", "announce", "--med", ""], ["vipd", "-"], ["vipd", "-c", f"{tmp}/pre"]]
        per_command = sorted(options)
        queries += [["vipctl", "--json", c, "-"] for c in per_command]
        got = bash_completions(bash_script, queries)
        all_words = commands | {"help"}
        same_set("bash: vipctl COMMAND", all_words, got[0])
        same_set("bash: vipctl help COMMAND", all_words, got[1])
        same_set("bash: vipctl -OPTION", help_options(section(usage, "Options:")), got[2])
        same_set("bash: vipctl completion SHELL", {"bash", "zsh"}, got[3])
        if got[4] != {f"{tmp}/prefixes.txt"}:
            failures.append(f"bash: vipctl announce --file completes files (got {got[4]})")
        if got[5]:
            failures.append(f"bash: --med takes a number: no words offered (got {got[5]})")
        same_set("bash: vipd -OPTION", vipd_options, got[6])
        if got[7] != {f"{tmp}/prefixes.txt"}:
            failures.append(f"bash: vipd -c completes files (got {got[7]})")
        for c, answer in zip(per_command, got[8:]):
            same_set(f"bash: vipctl {c} --OPTION", options[c], answer)

        # ---- zsh: parse, evaluate the command list, read each command's options back -------
        if not shutil.which("zsh"):
            failures.append("zsh is not installed (scripts/setup.sh installs it)")
        else:
            text = zsh_script.read_text()
            run("zsh", "-n", str(zsh_script))
            if not text.startswith("#compdef vipctl vipd\n"):
                failures.append("zsh: first line is not #compdef vipctl vipd")
            array = re.search(r"^    vipctl_commands=\(\n.*?^    \)\n", text, re.M | re.S)
            listed = run("zsh", "-c", (array.group(0) if array else "") +
                         'for c in $vipctl_commands; do print -r -- ${c%%:*}; done').stdout
            same_set("zsh: commands", all_words, set(listed.split()))
            spec = re.compile(r"[{'(,*)](-{1,2}[A-Za-z][A-Za-z-]*)")
            for c in per_command:
                if c == "help":
                    continue
                case = re.search(rf"^            {re.escape(c)}\)\n(.*?);;", text, re.M | re.S)
                same_set(f"zsh: vipctl {c} options", options[c],
                         set(spec.findall(case.group(1))) if case else set())
            vipd_fn = re.search(r"^_vipd\(\) \{\n(.*?)^\}", text, re.M | re.S)
            same_set("zsh: vipd options", vipd_options,
                     set(spec.findall(vipd_fn.group(1))) if vipd_fn else set())
    finally:
        shutil.rmtree(tmp)

    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print(f"completion: bash and zsh offer all {len(commands)} commands and every option of "
          "their help texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
