MARKER = "@MARKER@"
open(MARKER, "a").write("sitecustomize ran\n")
