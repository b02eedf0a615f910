"""`schedlab simulate DOMAIN` and `schedlab list domains|policies`, generated from the declarations.

Every flag comes from a domain's params dataclass or its policies' options; values are taken as
text and checked by the same `coerce` the service uses, so a bad value is one line naming the
flag and its range (exit status 2), and the defaults cannot drift between front ends.
"""

from __future__ import annotations

import argparse
from typing import Any

from schedlab.core.errors import SchedlabError
from schedlab.sim.domain import Domain, Request, domain_names, get_domain, split_request
from schedlab.sim.params import ParameterError, ParamSpec


def _add_flag(parser: argparse.ArgumentParser, spec: ParamSpec, help_text: str) -> None:
    help_text = help_text.replace("%", "%%")  # argparse formats help with %
    metavar = "NAME" if spec.meta.choices else {int: "N", float: "X", str: "TEXT", bool: None}[spec.type]
    if spec.type is bool:
        parser.add_argument(spec.flag, dest=spec.name, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                            help=help_text)
    else:
        parser.add_argument(spec.flag, dest=spec.name, default=argparse.SUPPRESS, metavar=metavar, help=help_text)


def add_domain_flags(parser: argparse.ArgumentParser, domain: Domain) -> None:
    """Flags for the domain's parameters, `--policy`, `--seed` and every policy option."""
    policies = ", ".join(domain.policies.names())
    parser.add_argument("--policy", default=argparse.SUPPRESS, metavar="NAME",
                        help=f"one of: {policies}; default {domain.default_policy} (see 'schedlab list policies {domain.name}')")
    parser.add_argument("--seed", default=argparse.SUPPRESS, metavar="SEED",
                        help="random seed; an integer >= 0 and <= 4294967295; default 0")
    for spec in domain.param_specs():
        _add_flag(parser, spec, spec.help_text())
    for name, spec in domain.option_specs().items():
        users = domain.policies_with_option(name)
        _add_flag(parser, spec, f"policy option of {', '.join(users)}: {spec.help_text()}")


def request_from_args(domain: Domain, args: argparse.Namespace) -> Request:
    names = ["policy", "seed", *(s.name for s in domain.param_specs()), *domain.option_specs()]
    values: dict[str, Any] = {n: getattr(args, n) for n in names if hasattr(args, n)}
    try:
        return split_request(domain, values, allow_local_files=True)
    except ParameterError as exc:
        raise SchedlabError(f"--{exc.name.replace('_', '-')}: {exc.detail}") from None


def cmd_simulate(args: argparse.Namespace) -> int:
    domain = get_domain(args.domain)
    request = request_from_args(domain, args)
    record = bool(args.report or args.chrome_trace)
    try:
        result = domain.run_request(request, record=record)
    except ParameterError as exc:
        raise SchedlabError(f"--{exc.name.replace('_', '-')}: {exc.detail}") from None
    if args.out:
        result.write_json(args.out)
    if args.chrome_trace:
        result.write_chrome_trace(args.chrome_trace)
    if args.report:
        from schedlab.sim.report import write_report

        extra = domain.extra_sections(result) if domain.extra_sections else ()
        write_report(args.report, result, extra=extra)
    print(result.summary_line() + f"; {result.runtime_s:.2f} CPU s")
    for path, what in ((args.out, "result"), (args.report, "report"), (args.chrome_trace, "Chrome trace")):
        if path:
            print(f"{what} written to {path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """`schedlab simulate DOMAIN ...` for every registered domain."""
    simulate = sub.add_parser("simulate", help="simulate an online system: " + ", ".join(domain_names()),
                              description="Simulate an online scheduling system. 'schedlab list domains' lists them.")
    domains = simulate.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    for name in domain_names():
        domain = get_domain(name)
        p = domains.add_parser(name, help=domain.description, description=domain.description)
        add_domain_flags(p, domain)
        p.add_argument("--out", help="write the result (metrics, breakdowns, samples) as JSON here")
        p.add_argument("--report", help="write an HTML report here (metrics, CDFs, series, timeline)")
        p.add_argument("--chrome-trace", help="write a Chrome/Perfetto trace of the timeline here")
        p.set_defaults(func=cmd_simulate)


def list_domains(table_factory) -> Any:
    table = table_factory("domain", "policies", "default policy", "description")
    for name in domain_names():
        d = get_domain(name)
        table.add_row(name, ", ".join(d.policies.names()), d.default_policy, d.description)
    return table


def list_policies(table_factory, only: str | None = None) -> Any:
    names = [get_domain(only).name] if only else domain_names()
    table = table_factory("domain", "kind", "name", "options", "needs predictions", "description")
    for name in names:
        d = get_domain(name)
        for policy in d.policies.names():
            cls = d.policies.get(policy)
            options = ", ".join(f"{s.name}={s.default}" for s in cls.option_specs()) or "-"
            table.add_row(name, "policy", policy, options, "yes" if cls.needs_predictions else "", cls.description)
        for kind, registry in d.components.items():
            for entry in registry.names():
                table.add_row(name, kind, entry, "-", "", registry.describe(entry))
    return table
