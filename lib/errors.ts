/**
 * The one error type for bad input. Every message names the argument (or the
 * file) at fault and says what to do, so `pulumi preview` fails with a
 * sentence a user can act on before anything is built.
 */
export class InputError extends Error {
    /** The argument or file the message is about, e.g. "`port`" or "requirements.txt". */
    readonly argument: string;

    constructor(argument: string, message: string) {
        super(message);
        this.name = "InputError";
        this.argument = argument;
    }
}
