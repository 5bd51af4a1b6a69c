from offline.fleet.command import main
from offline.plan import exit_now

exit_now(main())
