"""`schedlab train ENV --steps N --seed S --out FILE`: train a learned policy (MaskablePPO, CPU)."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from schedlab.core.errors import SchedlabError
from schedlab.learn.registry import TRAINABLE

USE = {"jobshop": "schedlab solve ft10 --solver learned-jobshop --param weights=",
       "mec": "python benchmarks/learned_online.py mec --weights ",
       "soc": "python benchmarks/learned_online.py soc --weights ",
       "iot": "python benchmarks/learned_online.py iot --weights ",
       "isbjssp": "python benchmarks/learned_isbjssp.py --weights "}


def _cmd_train(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("sb3_contrib") is None:
        raise SchedlabError("training needs PyTorch and sb3-contrib: pip install 'schedlab[learn]' (make run installs them)")
    from schedlab.learn.expert import solver_teacher

    try:
        expert = solver_teacher(args.teacher)
    except ValueError as error:
        raise SchedlabError(str(error)) from None
    if expert is not None:
        _check_solver_teacher(args, expert[0])
    for flag, path in (("--init", args.init), ("--teacher", None if expert else args.teacher)):
        if path and not Path(path).is_file():
            raise SchedlabError(f"{path}: no such policy file for {flag}")
    if args.sizes and args.env != "jobshop":
        raise SchedlabError(f"--sizes sets the random training shops of jobshop, not of {args.env}")
    if args.lookahead and args.env != "jobshop":
        raise SchedlabError(f"--lookahead adds job-shop route features, not features of {args.env}")
    if args.hidden and args.network != "lite":
        raise SchedlabError("--hidden sets the width of --network lite")
    if args.network == "lite" and args.algorithm == "ppo":
        raise SchedlabError("--network lite trains with --algorithm self-label or shared-baseline")
    from schedlab.cli import out
    from schedlab.learn.train import TrainConfig, train

    config = TrainConfig(env=args.env, steps=args.steps, seed=args.seed, envs=args.envs, processes=args.processes,
                         max_minutes=args.max_minutes, imitate=args.imitate,
                         algorithm=args.algorithm, rollouts=args.rollouts, init=args.init,
                         learning_rate=args.learning_rate, network=args.network, teacher=args.teacher,
                         sizes=args.sizes, hidden=args.hidden, lookahead=args.lookahead)
    how = {"ppo": f"{args.envs} environments in {args.processes} process(es)",
           "shared-baseline": f"shared-baseline policy gradient, {args.rollouts} rollouts per episode",
           "self-label": f"self-labelling, the best of {args.rollouts} rollouts per episode learned"}[args.algorithm]
    seeds = f"seeds {','.join(map(str, args.seeds))} ({args.executor})" if args.seeds else f"seed {args.seed}"
    out.print(f"training {args.env} for {args.steps:,} steps, {seeds}, {how}")
    if args.seeds:
        from schedlab.learn.train import train_seeds

        train_seeds(config, args.seeds, Path(args.out), args.executor, args.address, write=out.print)
        return 0
    record = train(config, Path(args.out), write=out.print)
    out.print(f"wrote {args.out} ({record['steps_done']:,} steps, {record['episodes']:,} episodes in "
              f"{record['train_seconds']:.0f} s)" + (f"; use it with: {_use(args)}{args.out}" if args.env in USE else ""))
    return 0


def _check_solver_teacher(args: argparse.Namespace, name: str) -> None:
    """`--teacher solver:NAME[@STEPS]`: a registered solver, for the job shop, with --imitate."""
    from schedlab.solvers.base import solver_names

    if args.env != "jobshop":
        raise SchedlabError(f"--teacher solver:NAME labels job shops, not {args.env}")
    if name not in solver_names():
        raise SchedlabError(f"--teacher {args.teacher}: no solver named {name!r} (schedlab solvers lists them)")
    if not args.imitate:
        raise SchedlabError("--teacher solver:NAME needs --imitate N (how many labelled decisions to learn)")


def _use(args: argparse.Namespace) -> str:
    """How to run what was trained (the lite job-shop network has its own solver)."""
    if args.env == "jobshop" and args.network == "lite":
        return USE["jobshop"].replace("learned-jobshop", "learned-jobshop-lite")
    return USE[args.env]


def _seed_list(text: str) -> list[int]:
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seeds like 0,1,2, got {text!r}") from None
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise argparse.ArgumentTypeError(f"expected distinct non-negative seeds like 0,1,2, got {text!r}")
    return seeds


def _sizes(text: str) -> tuple[tuple[int, int], ...]:
    try:
        sizes = tuple((int(n), int(m)) for n, m in (part.lower().split("x") for part in text.split(",") if part.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected shop sizes like 10x10,15x15 (jobs x machines), got {text!r}") from None
    if not sizes or min(min(size) for size in sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected shop sizes like 10x10,15x15 (jobs x machines), got {text!r}")
    return sizes


def register(sub: argparse._SubParsersAction) -> None:
    from schedlab.cli import _count, _positive, _seed

    p = sub.add_parser("train", help="train a learned scheduling policy (MaskablePPO on CPU)")
    p.add_argument("env", choices=sorted(TRAINABLE), help="; ".join(f"{k}: {v.description}" for k, v in TRAINABLE.items()))
    p.add_argument("--steps", type=_count, default=200_000, help="environment steps (decisions), default 200000")
    p.add_argument("--seed", type=_seed, default=0)
    p.add_argument("--envs", type=_count, default=8, help="parallel episodes per rollout (default 8)")
    p.add_argument("--processes", type=_count, default=2, help="processes stepping them (default 2: both cores)")
    p.add_argument("--max-minutes", type=_positive, help="stop after this many minutes of wall time")
    p.add_argument("--imitate", type=_count, default=0,
                   help="first learn this many decisions of the environment's teacher rule (soc: ETF's order)")
    p.add_argument("--algorithm", choices=("ppo", "shared-baseline", "self-label"), default="ppo",
                   help="ppo (MaskablePPO, default), shared-baseline (policy gradient, K rollouts of each episode "
                        "judged against their mean: Decima's input-dependent baseline) or self-label (K rollouts of "
                        "each episode, the best one learned by cross-entropy: Corsini et al.'s self-labelling)")
    p.add_argument("--rollouts", type=_count, default=8,
                   help="K for --algorithm shared-baseline and self-label (default 8)")
    p.add_argument("--learning-rate", type=_positive, default=3e-4, help="Adam's step size (default 3e-4)")
    p.add_argument("--network", choices=("attention", "lite"), default="attention",
                   help="attention over the action rows (default) or lite: pooled context and a 16-wide MLP that "
                        "the job-shop dispatcher runs in Numba (learned-jobshop-lite)")
    p.add_argument("--hidden", type=_count, help="width of the lite network's hidden layer (default 16)")
    p.add_argument("--lookahead", action="store_true", help="jobshop: append route-lookahead features to each job's "
                   "row (the operation after next, its machine, and the next operation's end past c*)")
    p.add_argument("--teacher", help="with --imitate: learn this policy file's greedy choices (distillation) "
                   "instead of the environment's teacher rule; or solver:NAME[@STEPS] (jobshop): a search solver's "
                   "schedules of the training shops replayed in Giffler-Thompson (default 20000 steps per shop)")
    p.add_argument("--sizes", type=_sizes, help="jobshop: sizes of the random training shops, jobs x machines, "
                   "one drawn per episode (default 10x10,15x15)")
    p.add_argument("--init", help="start from these weights (fine-tuning a file schedlab train wrote for this environment)")
    p.add_argument("--seeds", type=_seed_list, help="train one policy per seed (e.g. 0,1,2) and keep the best as --out; "
                   "each also written as OUT-s<seed>.pt")
    p.add_argument("--executor", choices=("serial", "local", "ray"), default="serial",
                   help="where the --seeds runs go: this process, a local process pool, or Ray (as schedlab bench)")
    p.add_argument("--address", help="Ray cluster address for --executor ray (default: start a local one)")
    p.add_argument("--out", required=True, help="where to write the trained weights (.pt)")
    p.set_defaults(func=_cmd_train)
