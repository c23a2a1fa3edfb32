from social.cli import main

main()
