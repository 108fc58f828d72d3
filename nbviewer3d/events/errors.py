"""The warnings and errors the event-file reader documents."""


class LogdirError(ValueError):
    """A logdir, run, tag or step that cannot be read as asked; the message lists what exists."""


class CorruptRecordWarning(UserWarning):
    """A record whose checksum does not match was skipped; the message names file and offset."""


class TruncatedRecordWarning(UserWarning):
    """An event file ends inside a record (a writer still writing, or a cut copy); the record
    is read once complete. The message names file, offset and the bytes present."""


class BadSummaryWarning(UserWarning):
    """A summary that cannot be read (malformed for its plugin) was skipped; the message names
    file, offset, tag and step. The rest of the logdir is read."""


class LossySourceWarning(UserWarning):
    """Volumes come from 8-bit GIFs (MONAI's plot_2d_or_3d_image), not the values logged."""


class UnpairedTagWarning(UserWarning):
    """Volume tags of a run that view_logdir could give no role are not shown; the message
    names each one, once, and the call that shows it."""


class UnreadableStepWarning(UserWarning):
    """A step whose volumes could not be decoded; the viewer opens on the others and shows
    the reason at that step. The message names run, step and the record's problem."""
