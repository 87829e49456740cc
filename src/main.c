/* fengqiao: one program, many subcommands (DESIGN.md "Architecture"). */
#include "cmd/cmd.h"

int main(int argc, char **argv)
{
    return cmd_main(argc, argv);
}
