from dam_desktop.launch import main

raise SystemExit(main())
