MARKER = "@MARKER@"
open(MARKER, "a").write("numpy ran\n")
