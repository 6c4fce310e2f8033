"""``rnngen check``: smoke-test generated folders, one at a time or as a matrix.

The checks run in a subprocess: ``check_runner.py``, run by path with the
Python that runs the generated code (``--python``, default: the one running
rnngen). No framework is imported here, and a crash or a hang in the checked
code cannot take rnngen down with it. The runner prints one JSON line per
step; this module turns them into results, lines for the terminal, a table and
a JSON report, and raises ``CheckError`` when anything failed.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rnngen import __version__
from rnngen.errors import CheckError
from rnngen.modes import CELLS, FRAMEWORKS, INPUTS, MODES, TASKS

RUNNER = Path(__file__).resolve().with_name("check_runner.py")
PREFIX = "@rnngen-check "
STEPS = ("spec", "compile", "framework", "import", "data", "build", "shape", "train", "amp",
         "predict")
# Small sizes, so that the whole matrix builds and trains in seconds per case.
MATRIX_SIZES = {
    "hidden_size": 16,
    "output_size": 5,
    "vocab_size": 50,
    "embed_dim": 8,
    "input_size": 6,
    "seq_len": 7,
    "out_len": 4,
}
# Frameworks in the order their groups start: the slowest first keeps workers busy.
COST_ORDER = ("keras", "pytorch")


@dataclass(frozen=True)
class Options:
    """How to run the checks; the CLI's flags."""

    device: str = "auto"
    train_steps: int = 3
    timeout: float = 300.0
    python: str = sys.executable
    jobs: int = 1


def make_options(device: str = "auto", train_steps: int = 3, timeout: float = 300.0,
                 python: Path | str | None = None, jobs: int | None = None) -> Options:
    """Options from the CLI's flags; ``None`` means this Python and one job per CPU."""
    return Options(
        device=device, train_steps=train_steps, timeout=timeout,
        python=str(python) if python is not None else sys.executable,
        jobs=jobs if jobs is not None else cpu_count(),
    )


@dataclass
class Step:
    """One step's outcome, as the runner reported it."""

    name: str
    file: str
    status: str  # "ok", "fail" or "skip"
    seconds: float
    message: str
    detail: str = ""


@dataclass
class Result:
    """Everything known about one checked folder."""

    folder: Path
    name: str
    steps: list[Step] = field(default_factory=list)
    ok: bool = False
    seconds: float = 0.0
    device: str = "?"
    spec: dict = field(default_factory=dict)

    @property
    def failure(self) -> Step | None:
        """The step that failed, if one did."""
        return next((step for step in self.steps if step.status == "fail"), None)


@dataclass(frozen=True)
class Case:
    """One point of the matrix."""

    framework: str
    mode: str
    cell: str
    input: str
    task: str

    @property
    def id(self) -> str:
        return f"{self.framework}-{self.mode}-{self.cell}-{self.input}-{self.task}"

    def options(self) -> dict:
        """The spec options for this case, at the matrix's small sizes."""
        options = {**asdict(self), **MATRIX_SIZES}
        for key in ("vocab_size", "embed_dim") if self.input == "features" else ("input_size",):
            options.pop(key)
        if self.mode in ("one2one", "one2many"):
            options.pop("seq_len")
        if self.mode not in ("one2many", "seq2seq"):
            options.pop("out_len")
        return options


## One folder
def run_folder(folder: Path, options: Options, echo, report: Path | None = None) -> Result:
    """Check one generated folder, printing a line per step through ``echo``.

    Raises:
        CheckError: the folder is not a generated project, or a step failed
            (naming the step and the file to look at).
    """
    if not folder.is_dir():
        raise CheckError(f"{folder}: no such folder")
    if not (folder / "model.py").is_file():
        raise CheckError(f"{folder}: no model.py here; is it a folder that rnngen new wrote?")
    echo(f"checking {folder} with {options.python} (--device {options.device})")
    started = time.perf_counter()
    [result] = check_folders([folder.resolve()], options, _environment(options),
                             on_step=lambda result, step: _echo_step(echo, step))
    result.name = str(folder)
    wall = time.perf_counter() - started
    if report is not None:
        write_report(report, [result], options, wall)
    failure = result.failure
    if not result.ok:
        raise CheckError(failure_message(folder, failure) if failure else f"{folder}: failed")
    framework, mode = result.spec.get("framework", "?"), result.spec.get("mode", "?")
    echo(f"passed: {folder} ({framework} {mode} on {result.device}) in {wall:.1f}s")
    return result


def _echo_step(echo, step: Step) -> None:
    echo(format_step(step))
    if step.status == "fail" and step.detail:
        lines = step.detail.rstrip().splitlines()[-20:]
        echo("\n".join("      " + line for line in lines))


def format_step(step: Step) -> str:
    """``  shape        0.13s  ok: (4, 5) = (batch, output_size)``"""
    status = {"ok": "ok", "fail": "FAIL", "skip": "skip"}[step.status]
    return f"  {step.name:<9} {step.seconds:>7.2f}s  {status}: {step.message}"


def failure_message(folder: Path, step: Step) -> str:
    """The one line ``rnngen check`` ends with when a step failed."""
    message = step.message.removeprefix(f"{step.file}: ")
    if message.startswith("framework not installed"):
        message += "; or point --python at a Python that has it"
    where = folder / step.file if step.file else folder
    return f"step '{step.name}' failed in {where}: {message}"


## Running the runner
class Live:
    """The runner processes running now, so that Ctrl-C can stop every one of them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.processes: set[subprocess.Popen] = set()
        self.stopped = False

    def add(self, process: subprocess.Popen) -> None:
        with self.lock:
            self.processes.add(process)
            if self.stopped:
                _kill(process)

    def discard(self, process: subprocess.Popen) -> None:
        with self.lock:
            self.processes.discard(process)

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            for process in self.processes:
                _kill(process)


def check_folders(folders: list[Path], options: Options, env: dict[str, str],
                  on_step=None, on_result=None, live: Live | None = None) -> list[Result]:
    """Check ``folders`` in one runner process, importing the framework once.

    A folder that crashes or hangs the runner fails (at the step it was on)
    and the rest go on in a fresh process.

    Args:
        folders: generated folders.
        options: device, training steps, timeout per folder, Python.
        env: the runner's environment.
        on_step: called with (result, step) as each step finishes.
        on_result: called with each folder's result as it finishes.
        live: where to register the runner processes, to stop them from elsewhere.

    Returns:
        One result per folder, in order; fewer only if ``live`` was stopped.
    """
    live = live if live is not None else Live()
    results: list[Result] = []
    while len(results) < len(folders) and not live.stopped:
        results += _run_once(folders[len(results):], options, env, on_step, on_result, live)
    return results


def _run_once(folders: list[Path], options: Options, env, on_step, on_result,
              live: Live) -> list[Result]:
    """One runner process over ``folders``; returns the results, in order, that it got to.

    The runner checks the folders in the order given, so its records are
    matched to ``folders`` by position, whatever spelling of a path it reports.
    """
    with tempfile.TemporaryFile() as stderr, tempfile.TemporaryDirectory(
        prefix="rnngen-check-"
    ) as scratch:
        command = [options.python, str(RUNNER), "--device", options.device,
                   "--train-steps", str(options.train_steps), "--timeout", str(options.timeout),
                   "--scratch", scratch, *map(str, folders)]
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr,
                                       stdin=subprocess.DEVNULL, env=env, text=True,
                                       start_new_session=os.name == "posix")
        except OSError as error:
            reason = error.strerror or error
            raise CheckError(f"--python {options.python}: cannot run it ({reason})") from None
        live.add(process)
        try:
            finished, current, running, problem = _follow(process, folders, options, on_step,
                                                          on_result)
        except BaseException:
            _kill(process)  # Ctrl-C: the runner has its own session and would live on
            raise
        finally:
            code = process.wait()
            live.discard(process)
        if live.stopped:
            return finished
        if problem is None and (current is not None or not finished):
            problem = _died(code, stderr)
    if problem is not None:
        # The folder in progress fails at the step it was running; if the
        # runner never began one, every folder fails with the same reason.
        aborted = [current] if current is not None else []
        if current is None and not finished:
            aborted = [Result(folder=folder, name=str(folder)) for folder in folders]
        for result in aborted:
            name, file, step_started, started = running if result is current else (
                STEPS[0], "", time.perf_counter(), time.perf_counter())
            step = Step(name, file, "fail", round(time.perf_counter() - step_started, 3), problem)
            result.steps.append(step)
            result.seconds = round(time.perf_counter() - started, 3)
            if on_step is not None:
                on_step(result, step)
            finished.append(result)
            if on_result is not None:
                on_result(result)
    return finished


def _follow(process: subprocess.Popen, folders: list[Path], options: Options, on_step,
            on_result):
    """Read the runner's records until it exits or a folder runs out of time.

    Returns:
        (finished results, the result in progress or None, (step, file, step
        start, folder start) of the step running, the timeout message or None).
    """
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    finished: list[Result] = []
    current: Result | None = None
    running = (STEPS[0], "", time.perf_counter(), time.perf_counter())
    deadline = time.monotonic() + options.timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            _kill(process)
            return finished, current, running, f"no result within --timeout {options.timeout:g}s"
        if line is None:
            return finished, current, running, None
        record = _parse(line)
        if record is None:
            continue
        event = record["event"]
        if event == "begin" and len(finished) < len(folders):
            folder = folders[len(finished)]
            current = Result(folder=folder, name=str(folder))
            running = (STEPS[0], "", time.perf_counter(), time.perf_counter())
            deadline = time.monotonic() + options.timeout
        elif event == "start" and current is not None:
            running = (record["step"], record["file"], time.perf_counter(), running[3])
        elif event == "step" and current is not None:
            step = Step(record["step"], record["file"], record["status"], record["seconds"],
                        record["message"], record.get("detail", ""))
            current.steps.append(step)
            if on_step is not None:
                on_step(current, step)
        elif event == "done" and current is not None:
            current.ok, current.seconds = record["ok"], record["seconds"]
            current.device, current.spec = record["device"], record.get("spec") or {}
            finished.append(current)
            if on_result is not None:
                on_result(current)
            current = None


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _parse(line: str) -> dict | None:
    if not line.startswith(PREFIX):
        return None
    try:
        return json.loads(line[len(PREFIX):])
    except json.JSONDecodeError:
        return None


def _kill(process: subprocess.Popen) -> None:
    """Stop the runner and whatever it started (predict.py)."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass


def _died(code: int, stderr) -> str:
    stderr.seek(0)
    lines = [line.strip() for line in stderr.read().decode(errors="replace").splitlines()
             if line.strip()]
    last = lines[-1] if lines else "no output"
    if code < 0:
        try:
            how = f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
    else:
        how = f"exited {code}"
    return f"the check process {how}: {last}"


def _environment(options: Options, threads: int | None = None) -> dict[str, str]:
    """The runner's environment: quiet, no bytecode in the checked folder, GPU memory shared."""
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Several runners may share one GPU: allocate as needed, not all up front.
    env.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    env.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    if threads is not None:
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
            env.setdefault(name, str(threads))
        env.setdefault("TF_NUM_INTEROP_THREADS", "1")
    return env


## The matrix
def matrix_cases(frameworks=(), modes=(), cells=(), inputs=(), tasks=()) -> list[Case]:
    """Every combination of the values given; empty means every framework and mode,
    GRU cells, token input and classification."""
    return [
        Case(*combo)
        for combo in itertools.product(
            frameworks or FRAMEWORKS, modes or tuple(MODES), cells or CELLS[:1],
            inputs or INPUTS[:1], tasks or TASKS[:1],
        )
    ]


def cpu_count() -> int:
    """CPUs this process may use (the default for ``-j``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run_matrix(cases: list[Case], options: Options, echo, report: Path | None = None,
               keep: bool = False) -> list[Result]:
    """Generate every case, check each, print a table; raise ``CheckError`` if any failed.

    Cases of one framework share runner processes (``options.jobs`` of them at
    most per framework), so the framework is imported once per process.
    """
    from rnngen import generate, writer
    from rnngen.spec import build_spec

    specs = [build_spec(case.options()) for case in cases]
    root = Path(tempfile.mkdtemp(prefix="rnngen-matrix-"))
    try:
        folders = {}
        for case, spec in zip(cases, specs):
            folders[case] = root / case.id
            writer.write_project(folders[case], generate.generate(spec))
        groups = _groups(cases, options.jobs)
        echo(f"checking {len(cases)} cases in {len(groups)} processes, {options.jobs} at a time, "
             f"with {options.python} (--device {options.device})")
        env = _environment(options, threads=max(1, cpu_count() // options.jobs))
        by_folder = {folders[case]: case for case in cases}
        lock, finished, live = threading.Lock(), [], Live()

        def progress(result: Result) -> None:
            with lock:
                finished.append(result)
                echo(_progress_line(len(finished), len(cases), by_folder[result.folder], result))

        started = time.perf_counter()
        pool = ThreadPoolExecutor(max_workers=options.jobs)
        try:
            futures = [
                pool.submit(check_folders, [folders[case] for case in group], options, env,
                            None, progress, live)
                for group in groups
            ]
            results = {result.folder: result for future in futures for result in future.result()}
        except BaseException:
            live.stop()  # Ctrl-C: stop every runner, start no more
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        wall = time.perf_counter() - started
        ordered = []
        for case in cases:
            result = results[folders[case]]
            result.name = case.id
            result.spec = asdict(case)
            ordered.append(result)
        echo("")
        echo(format_table(cases, ordered, wall, options))
        if report is not None:
            write_report(report, ordered, options, wall, folders=keep)
    finally:
        if keep:
            echo(f"kept the generated folders in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    failed = [result for result in ordered if not result.ok]
    if failed:
        raise CheckError(f"{len(failed)} of {len(ordered)} cases failed: "
                         + ", ".join(result.name for result in failed))
    return ordered


def _groups(cases: list[Case], jobs: int) -> list[list[Case]]:
    """Split each framework's cases into at most ``jobs`` groups of similar size."""
    groups = []
    for framework in sorted({case.framework for case in cases},
                            key=lambda name: COST_ORDER.index(name)):
        mine = [case for case in cases if case.framework == framework]
        count = min(len(mine), jobs)
        groups += [mine[index::count] for index in range(count)]
    return groups


def _progress_line(done: int, total: int, case: Case, result: Result) -> str:
    width = len(str(total))
    failure = result.failure
    outcome = "pass" if result.ok else f"FAIL at {failure.name}" if failure else "FAIL"
    return f"[{done:>{width}}/{total}] {case.id}: {outcome} ({result.seconds:.1f}s)"


def format_table(cases: list[Case], results: list[Result], wall: float, options: Options) -> str:
    """The pass/fail table with times, and a summary line."""
    header = ("framework", "mode", "cell", "input", "task", "device", "result", "seconds", "")
    rows = [header]
    for case, result in zip(cases, results):
        failure = result.failure
        note = f"{failure.name}: {failure.message}" if failure else ""
        rows.append((case.framework, case.mode, case.cell, case.input, case.task, result.device,
                     "pass" if result.ok else "FAIL", f"{result.seconds:.1f}", note))
    widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if column == 7 else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths))
        ]
        lines.append("  ".join(cells + [row[-1]]).rstrip())
    passed = sum(result.ok for result in results)
    lines.append(
        f"{len(results)} cases: {passed} passed, {len(results) - passed} failed "
        f"in {wall:.1f}s with {options.jobs} worker{'s' if options.jobs > 1 else ''} "
        f"(--device {options.device})"
    )
    return "\n".join(lines)


## Report
def report_data(results: list[Result], options: Options, wall: float,
                folders: bool = True) -> dict:
    """The JSON report for CI: options, totals and every case with its steps.

    ``folders`` false leaves out the folders (a matrix's temporary ones).
    """
    cases = []
    for result in results:
        failure = result.failure
        cases.append({
            "id": result.name,
            "folder": str(result.folder) if folders else None,
            **result.spec,
            "device": result.device,
            "ok": result.ok,
            "seconds": result.seconds,
            "failed_step": failure.name if failure else None,
            "failed_file": (failure.file or None) if failure else None,
            "message": failure.message if failure else None,
            "steps": [
                {"step": step.name, "file": step.file, "status": step.status,
                 "seconds": step.seconds, "message": step.message}
                for step in result.steps
            ],
        })
    passed = sum(result.ok for result in results)
    return {
        "rnngen_version": __version__,
        "python": options.python,
        "device": options.device,
        "train_steps": options.train_steps,
        "jobs": options.jobs,
        "seconds": round(wall, 3),
        "passed": passed,
        "failed": len(results) - passed,
        "cases": cases,
    }


def write_report(path: Path, results: list[Result], options: Options, wall: float,
                 folders: bool = True) -> None:
    """Write the JSON report to ``path``, creating its folder."""
    text = json.dumps(report_data(results, options, wall, folders), indent=2) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CheckError(f"--report {path}: cannot write it ({error.strerror or error})") from None
