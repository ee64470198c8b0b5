"""``dbshift completion bash|zsh|fish``: a shell completion script, printed to stdout.

The script is generated from the same argparse parsers the commands use, so a new option
completes as soon as it exists. It is static (no dbshift process per key press): commands,
each command's options, ``online`` actions, and the choices of options such as
``--format``; files for paths.
"""

from __future__ import annotations

import argparse

from dbshift.cli import context
from dbshift.frozen import frozen

OPTIONS: frozenset[str] = frozenset()

#: Shown at the end of ``dbshift completion --help``.
EXAMPLES = (
    'eval "$(dbshift completion bash)"              # in ~/.bashrc',
    "dbshift completion zsh > ~/.zfunc/_dbshift     # with fpath+=(~/.zfunc) before compinit",
    "dbshift completion fish > ~/.config/fish/completions/dbshift.fish",
)

SHELLS = ("bash", "zsh", "fish")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.set_defaults(handler=run)


@frozen
class Option:
    flags: tuple[str, ...]
    help: str
    takes_value: bool
    choices: tuple[str, ...]
    is_path: bool
    #: Accepted but not listed in the command's help (a connection option it ignores).
    hidden: bool = False


@frozen
class Command:
    name: str
    summary: str
    options: tuple[Option, ...]
    #: Sub-actions (``online start``), each with its own options.
    actions: tuple[Command, ...] = ()
    #: Values of a positional argument with fixed choices (``completion SHELL``).
    words: tuple[str, ...] = ()


def run(args: argparse.Namespace) -> int:
    commands = collect()
    render = {"bash": bash, "zsh": zsh, "fish": fish}[args.shell]
    context.out(render(commands, global_options()))
    return 0


_PATHS = {"config", "migrations", "file", "path", "source", "paths"}


def _options(parser: argparse.ArgumentParser) -> tuple[Option, ...]:
    found = []
    for action in parser._actions:
        if not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        found.append(
            Option(
                flags=tuple(action.option_strings),
                help="" if action.help in (None, argparse.SUPPRESS) else str(action.help),
                takes_value=action.nargs != 0,
                choices=tuple(str(c) for c in action.choices or ()),
                is_path=action.dest in _PATHS,
                hidden=action.help == argparse.SUPPRESS,
            )
        )
    return tuple(found)


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:  # type: ignore[type-arg]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def collect() -> list[Command]:
    """Every command with its options, from a parser built for that command."""
    from dbshift.cli.commands import COMMANDS
    from dbshift.cli.main import build_parser

    commands = []
    for name, summary in COMMANDS.items():
        top = _subparsers(build_parser([name]))
        assert top is not None
        parser = top.choices[name]
        sub = _subparsers(parser)
        actions: tuple[Command, ...] = ()
        if sub is not None:
            helps = {a.dest: a.help or "" for a in sub._choices_actions}
            actions = tuple(
                Command(n, helps.get(n, ""), _options(p)) for n, p in sub.choices.items()
            )
        words = tuple(
            str(choice)
            for action in parser._actions
            if not action.option_strings and action.choices and sub is None
            for choice in action.choices
        )
        commands.append(Command(name, summary, _options(parser), actions, words))
    return commands


def global_options() -> tuple[Option, ...]:
    from dbshift.cli.main import common_options

    return (*_options(common_options()), Option(("--version",), "", False, (), False))


def _words(options: tuple[Option, ...], words: tuple[str, ...] = ()) -> str:
    flags = [
        flag
        for option in options
        if not option.hidden
        for flag in option.flags
        if flag.startswith("--")
    ]
    return " ".join([*words, *flags])


def _bash_values(command: str, options: tuple[Option, ...]) -> list[str]:
    cases = []
    for option in options:
        if not option.takes_value:
            continue
        pattern = "|".join(f"{command}:{flag}" for flag in option.flags)
        if option.choices:
            reply = f'COMPREPLY=($(compgen -W "{" ".join(option.choices)}" -- "$cur"))'
        elif option.is_path:
            reply = 'COMPREPLY=($(compgen -f -- "$cur"))'
        else:
            reply = "COMPREPLY=()"
        cases.append(f"        {pattern}) {reply}; return;;")
    return cases


def bash(commands: list[Command], globals_: tuple[Option, ...]) -> str:
    valued = sorted(
        {f for c in commands for o in c.options if o.takes_value for f in o.flags}
        | {f for o in globals_ if o.takes_value for f in o.flags}
    )
    value_cases = _bash_values("", globals_)
    word_cases = []
    for command in commands:
        value_cases += _bash_values(command.name, command.options)
        if command.actions:
            names = " ".join(a.name for a in command.actions)
            for action in command.actions:
                key = f"{command.name}/{action.name}"
                value_cases += _bash_values(key, action.options)
                word_cases.append(
                    f'        {key}) COMPREPLY=($(compgen -W "{_words(action.options)}" -- "$cur"));;'
                )
            word_cases.append(
                f'        {command.name}) COMPREPLY=($(compgen -W "{names}" -- "$cur"));;'
            )
        else:
            word_cases.append(
                f"        {command.name}) COMPREPLY=($(compgen -W "
                f'"{_words(command.options, command.words)}" -- "$cur"));;'
            )
    names = " ".join(c.name for c in commands)
    with_actions = "|".join(c.name for c in commands if c.actions) or "-"
    return "\n".join(
        [
            '# dbshift completion for bash: eval "$(dbshift completion bash)"',
            "_dbshift() {",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
            '    local cmd="" i word',
            "    for ((i = 1; i < COMP_CWORD; i++)); do",
            '        word="${COMP_WORDS[i]}"',
            '        case "$word" in',
            f"            {'|'.join(valued)}) ((i++));;",
            "            -*) ;;",
            '            *) if [[ -z "$cmd" ]]; then cmd="$word"; '
            f'elif [[ "$cmd" == @({with_actions}) ]]; then cmd="$cmd/$word"; fi;;',
            "        esac",
            "    done",
            '    case "$cmd:$prev" in',
            *value_cases,
            "    esac",
            '    case "$cmd" in',
            f'        "") COMPREPLY=($(compgen -W "{names} {_words(globals_)}" -- "$cur"));;',
            *word_cases,
            "    esac",
            "}",
            "shopt -s extglob",
            "complete -o default -F _dbshift dbshift",
        ]
    )


def zsh(commands: list[Command], globals_: tuple[Option, ...]) -> str:
    # zsh runs the bash function through bashcompinit: one generator, one behaviour.
    return "\n".join(
        [
            "#compdef dbshift",
            "# dbshift completion for zsh: dbshift completion zsh > ~/.zfunc/_dbshift",
            "autoload -U +X bashcompinit && bashcompinit",
            bash(commands, globals_),
        ]
    )


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_options(condition: str, options: tuple[Option, ...]) -> list[str]:
    lines = []
    for option in options:
        if option.hidden:
            continue
        parts = [f"complete -c dbshift -n {_fish_quote(condition)}"]
        for flag in option.flags:
            parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
        if option.choices:
            parts.append(f"-x -a {_fish_quote(' '.join(option.choices))}")
        elif option.takes_value and option.is_path:
            parts.append("-r -F")
        elif option.takes_value:
            parts.append("-x")
        if option.help:
            parts.append(f"-d {_fish_quote(option.help.split(' (')[0])}")
        lines.append(" ".join(parts))
    return lines


def fish(commands: list[Command], globals_: tuple[Option, ...]) -> str:
    lines = [
        "# dbshift completion for fish: dbshift completion fish > "
        "~/.config/fish/completions/dbshift.fish",
        "complete -c dbshift -f",
        *_fish_options("__fish_use_subcommand", globals_),
    ]
    for command in commands:
        lines.append(
            f"complete -c dbshift -n __fish_use_subcommand -a {command.name} "
            f"-d {_fish_quote(command.summary)}"
        )
        seen = f"__fish_seen_subcommand_from {command.name}"
        if command.actions:
            actions = " ".join(a.name for a in command.actions)
            for action in command.actions:
                lines.append(
                    f"complete -c dbshift -n {_fish_quote(f'{seen}; and not __fish_seen_subcommand_from {actions}')} "
                    f"-a {action.name} -d {_fish_quote(action.summary)}"
                )
                lines += _fish_options(
                    f"{seen}; and __fish_seen_subcommand_from {action.name}", action.options
                )
        else:
            lines += _fish_options(seen, command.options)
            if command.words:
                lines.append(
                    f"complete -c dbshift -n {_fish_quote(seen)} "
                    f"-a {_fish_quote(' '.join(command.words))}"
                )
    return "\n".join(lines)
