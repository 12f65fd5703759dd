"""tests/script_runner.py: a program run warm gives what ``python SCRIPT`` gives (output, exit code),
what one program changes does not reach the next, a program over its timeout is killed and the
next one still runs, and a test process has one runner. A private runner with only jax preloaded
keeps these fast; the test of the session's own runner (all of PyMC) is slow."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import script_runner


@pytest.fixture(scope="module")
def runner():
    # launched without TF_CPP_MIN_LOG_LEVEL, which jax sets in the test process when it is imported
    # first (conftest configures it), so the test of a variable the runner's own jax sets holds
    launch = {k: v for k, v in script_runner._LAUNCH_ENV.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    runner = script_runner.Runner(preload=("numpy", "jax"), env=launch)
    yield runner
    runner.stop()


def _run(runner, tmp_path, source, name="prog.py", env=None, timeout=120):
    (tmp_path / name).write_text(textwrap.dedent(source), encoding="utf-8")
    done = runner.run(name, str(tmp_path), dict(os.environ if env is None else env), timeout)
    assert done is not None
    return done


def _fresh(tmp_path, name="prog.py"):
    return subprocess.run([sys.executable, name], cwd=tmp_path, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_output_and_exit_codes_are_a_fresh_interpreters(runner, tmp_path):
    cases = {
        "prints.py": "import sys\nprint('out', __name__)\nprint('err', file=sys.stderr)\n",
        "raises.py": "def f():\n    raise ValueError('boom')\nprint('before')\nf()\n",
        "exits.py": "import sys\nprint('partial')\nsys.exit(3)\n",
        "says.py": "import sys\nsys.exit('bad input')\n",
        "syntax.py": "print('never'\n",
    }
    for name, source in cases.items():
        warm = _run(runner, tmp_path, source, name)
        fresh = _fresh(tmp_path, name)
        assert (warm.returncode, warm.stdout, warm.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr), name
        assert warm.args == [sys.executable, name]
    assert _run(runner, tmp_path, cases["prints.py"]).stdout == "out __main__\n"
    assert _run(runner, tmp_path, cases["exits.py"]).returncode == 3
    raised = _run(runner, tmp_path, cases["raises.py"])
    assert raised.returncode == 1 and raised.stdout == "before\n"
    assert raised.stderr.startswith("Traceback") and "ValueError: boom" in raised.stderr
    assert "script_runner" not in raised.stderr  # the program's frames only


def test_the_programs_file_argv_cwd_and_path(runner, tmp_path):
    source = ("import os, sys\nprint(__file__)\nprint(sys.argv)\nprint(os.getcwd())\nprint(sys.path[0])\n"
              "print(os.environ.get('ONLY_HERE'))\n")
    done = _run(runner, tmp_path, source, env={**os.environ, "ONLY_HERE": "yes"})
    assert done.stdout.splitlines() == [str(tmp_path / "prog.py"), "['prog.py']", str(tmp_path), str(tmp_path), "yes"]
    again = _run(runner, tmp_path, "import os, sys\nprint(os.environ.get('ONLY_HERE'), 'script_runner' in sys.modules)\n")
    assert again.stdout == "None False\n"


def test_jax_x64_and_other_state_do_not_leak_into_the_next_program(runner, tmp_path):
    first = _run(runner, tmp_path, """\
        import warnings, jax, jax.numpy as jnp, numpy as np
        jax.config.update("jax_enable_x64", True)
        print(jax.config.jax_enable_x64, jnp.ones(1).dtype)
        np.set_printoptions(precision=2)
        np.random.seed(0)
        print(np.random.rand())
        warnings.simplefilter("error")
        """)
    assert first.stdout.split()[:2] == ["True", "float64"]
    second = _run(runner, tmp_path, """\
        import warnings, jax, jax.numpy as jnp, numpy as np
        print(jax.config.jax_enable_x64, jnp.ones(1).dtype, np.get_printoptions()["precision"])
        print(np.random.rand())
        warnings.warn("only a warning")
        print("went on")
        """)
    assert second.stdout.split()[:3] == ["False", "float32", "8"]  # a fresh interpreter's defaults
    assert second.stdout.split()[3] != first.stdout.split()[2]  # reseeded, not seed 0's first draw
    assert second.returncode == 0 and "UserWarning: only a warning" in second.stderr
    assert second.stdout.endswith("went on\n")


def test_a_warning_shows_in_each_program_that_triggers_it(runner, tmp_path):
    source = "import warnings\nfor _ in range(2):\n    warnings.warn('once per program')\n"
    outputs = [_run(runner, tmp_path, source).stderr for _ in range(2)]
    assert outputs[0] == outputs[1] == _fresh(tmp_path).stderr
    assert outputs[0].count("once per program") == 2  # message and source line, shown once


def test_a_programs_own_modules_are_dropped(runner, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "helper.py").write_text("WHO = 'a'\n")
    (tmp_path / "b" / "helper.py").write_text("WHO = 'b'\n")
    for who in ("a", "b"):
        (tmp_path / who / "prog.py").write_text("import helper\nprint(helper.WHO)\n")
        assert runner.run("prog.py", str(tmp_path / who), dict(os.environ), 60).stdout == f"{who}\n"


@pytest.mark.slow
def test_a_timed_out_program_is_killed_and_the_next_one_runs(runner, tmp_path):
    _run(runner, tmp_path, "print('warm')\n")
    before = runner.pid
    (tmp_path / "hang.py").write_text("import time\nprint('started', flush=True)\ntime.sleep(600)\n")
    with pytest.raises(subprocess.TimeoutExpired) as info:
        runner.run("hang.py", str(tmp_path), dict(os.environ), 1)
    assert info.value.output == "started\n" and info.value.timeout == 1
    assert runner.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)  # killed and reaped, not left behind
    done = _run(runner, tmp_path, "print('next')\n")
    assert (done.returncode, done.stdout) == (0, "next\n")
    assert runner.pid not in (None, before)


def test_a_crashing_program_gives_its_exit_code_and_a_new_runner(runner, tmp_path):
    _run(runner, tmp_path, "pass\n")
    before = runner.pid
    done = _run(runner, tmp_path, "import os\nprint('bye', flush=True)\nos._exit(7)\n")
    assert (done.returncode, done.stdout) == (7, "bye\n")
    assert _run(runner, tmp_path, "print('alive')\n").stdout == "alive\n"
    assert runner.pid != before


def test_a_program_that_changes_the_device_count_runs_fresh(runner, tmp_path):
    source = ("import os\nos.environ['XLA_FLAGS'] = '--xla_force_host_platform_device_count=2'\n"
              "import jax\nprint(jax.local_device_count())\n")
    (tmp_path / "devices.py").write_text(source)
    assert runner.run("devices.py", str(tmp_path), dict(os.environ), 60) is None  # asks for a fresh run
    assert _run(runner, tmp_path, "import jax\nprint(jax.local_device_count())\n").stdout == "1\n"


def test_another_start_up_environment_runs_fresh(runner, tmp_path, monkeypatch):
    (tmp_path / "prog.py").write_text("import os\nprint(os.environ['JAX_ENABLE_X64'])\n")
    assert runner.run("prog.py", str(tmp_path), {**os.environ, "JAX_ENABLE_X64": "1"}, 60) is None
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}  # jax sets it if unset
    assert _run(runner, tmp_path, "print('same start')\n", "same.py", env=env).stdout == "same start\n"
    assert _run(runner, tmp_path, "print('same start')\n", "same.py", env={**env, "TF_CPP_MIN_LOG_LEVEL": "1"}).returncode == 0
    monkeypatch.setattr(script_runner, "STATS", dict.fromkeys(script_runner.STATS, 0))
    done = script_runner.run_python("prog.py", cwd=tmp_path, env={"JAX_ENABLE_X64": "1"}, timeout=60, fresh=True)
    assert (done.returncode, done.stdout) == (0, "1\n")
    assert script_runner.STATS == {"starts": 0, "warm": 0, "fresh": 1}


@pytest.mark.slow
def test_the_session_has_one_runner_with_pymc_and_numpyro(tmp_path):
    source = ("import numpyro, pymc as pm\npm.Model().__enter__()  # left on the context stack\n"
              "numpyro.enable_x64()\nprint(pm.modelcontext(None) is not None)\n")
    (tmp_path / "prog.py").write_text(source)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "PRIORCLI_"))}
    first = script_runner.run_python("prog.py", cwd=tmp_path, env=env, timeout=600)
    assert first.returncode == 0 and first.stdout == "True\n"
    pid, starts = script_runner.runner().pid, script_runner.runner().starts
    (tmp_path / "prog.py").write_text("import jax, pymc as pm\nprint(jax.config.jax_enable_x64)\npm.modelcontext(None)\n")
    second = script_runner.run_python("prog.py", cwd=tmp_path, env=env, timeout=600)
    assert second.stdout == "False\n"  # numpyro.enable_x64 did not reach it
    assert second.returncode == 1 and "No model on context stack" in second.stderr  # the stack was emptied
    assert script_runner.runner().pid == pid and script_runner.runner().starts == starts
    assert script_runner.runner() is script_runner.runner()


def test_a_runner_that_died_between_programs_is_replaced(runner, tmp_path):
    import signal

    _run(runner, tmp_path, "pass\n")
    before = runner.pid
    os.kill(before, signal.SIGKILL)
    done = _run(runner, tmp_path, "print('ran')\n")
    assert (done.returncode, done.stdout) == (0, "ran\n") and runner.pid not in (None, before)
