// Pulumi entry point (`pulumi up -s <stack>`): the exports become the stack's outputs.
import { program } from "./stacks";

export = program();
