"""swarm's security rules (reference F, ../shared/reference/swarm-security.md) as a model: who may
join (F.2), what a certificate says and how it is renewed (F.1), who may call what, straight or
through a follower's proxy (F.3), removal and demotion (F.4), which secrets reach which node
(F.5), and network keys (F.6); an attacker that holds what it has stolen or been given.

Simplifications (each a part of F.7 left out, and why):
- three managers and one worker, one node slot for joins; one token rotation (worker);
- certificates never expire: the windows W2 and W7 stay open for the whole run, the worst case;
- root CA rotation, autolock and the KEK's rotation (F.1.8, F.5.6, P18, P19) are not modelled;
- the overlay network's data plane (F.6.5, CVE-2023-28840/41/42) is not modelled: only which
  nodes hold the network keys is;
- driver (plugin) secrets (F.5.4, F.8 7) are not modelled;
- a call the authorizing manager refuses is no step; the Control API's effects on services are
  one ghost bit per identity that commanded;
- the dispatcher's batching is one in-flight batch per node; the agent applies it whole.
"""

from model.security.config import BUG_BOUNDS, BUGS, DEFAULT, HARDENED, SUITE, UNREACHED, Config
from model.security.model import Security
from model.security.state import State, Step

__all__ = ["BUGS", "BUG_BOUNDS", "DEFAULT", "HARDENED", "SUITE", "UNREACHED", "Config", "Security", "State", "Step"]
