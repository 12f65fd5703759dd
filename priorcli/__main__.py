from priorcli.cli import main

main()
