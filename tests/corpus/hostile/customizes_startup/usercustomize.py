MARKER = "@MARKER@"
open(MARKER, "a").write("usercustomize ran\n")
