from guanwei.cli import main

raise SystemExit(main())
