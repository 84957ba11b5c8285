namespace Noether.Data;

/// <summary>
/// A data problem the user can fix: a missing or malformed file, an unknown source name, a bad
/// preprocessing argument. The message is one line naming the file (or key), what was found, what
/// was expected and, where it helps, how to get the data. The CLI prints it without a stack trace.
/// </summary>
public sealed class DataException : Exception
{
    /// <summary>The file or directory the problem is about, when there is one.</summary>
    public string? Path { get; }

    public DataException(string message, string? path = null, Exception? inner = null) : base(message, inner)
    {
        Path = path;
    }
}
