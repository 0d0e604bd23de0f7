#ifndef MARK_TEST_H
#define MARK_TEST_H

/* Set by the host agent on sockets of quarantined workloads. */
#define MARK_QUARANTINE 0x666
/* High bit: traffic of the trusted backup agent, never filtered. */
#define MARK_TRUSTED_BIT 0x80000000

#define PORT_SMTP 25

#endif
