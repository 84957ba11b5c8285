namespace Noether.Runs;

/// <summary>
/// A file Noether was asked to read that it cannot use: missing, a directory, a device or pipe, larger
/// than the reader allows, or unreadable. The message is one line naming the file and what was expected.
/// </summary>
public sealed class UnreadableFileException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// Opens and reads files given by a user or left in a folder without trusting them: a directory, a
/// device (e.g. /dev/zero) or a file larger than the caller's limit is refused before anything is
/// allocated for its contents, so no input can make a reader consume unbounded memory.
/// </summary>
public static class BoundedFile
{
    /// <summary>Limit for JSON documents (configs, sweep specs, manifests, run.json): far above any real one.</summary>
    public const long JsonLimit = 64L << 20;

    /// <summary>
    /// Opens <paramref name="path"/> for reading after checking that it names an existing regular file;
    /// <paramref name="what"/> says what the file is for ("config file", "sweep manifest").
    /// </summary>
    public static FileStream OpenRead(string path, string what)
    {
        if (Directory.Exists(path)) throw new UnreadableFileException($"{what} '{path}' is a directory, expected a file");
        if (!File.Exists(path)) throw new UnreadableFileException($"{what} '{path}' does not exist");
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UnreadableFileException($"{what} '{path}' cannot be read: {FirstLine(e.Message)}", e);
        }
        if (!IsRegular(stream))
        {
            stream.Dispose();
            throw new UnreadableFileException($"{what} '{path}' is a device or pipe, expected a regular file");
        }
        return stream;
    }

    /// <summary>
    /// The whole of <paramref name="path"/>, refused with one line when it is not a regular file or holds
    /// more than <paramref name="maxBytes"/> bytes.
    /// </summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what)
    {
        using var stream = OpenRead(path, what);
        long length = stream.Length;
        if (length > maxBytes)
            throw new UnreadableFileException($"{what} '{path}' is {length} bytes, more than the {maxBytes} this reader accepts");
        var bytes = new byte[length];
        try
        {
            stream.ReadExactly(bytes);
            if (stream.ReadByte() >= 0) throw new UnreadableFileException($"{what} '{path}' grew while it was read, expected a file that is not being written");
        }
        catch (Exception e) when (e is IOException and not UnreadableFileException or UnauthorizedAccessException)
        {
            throw new UnreadableFileException($"{what} '{path}' cannot be read: {FirstLine(e.Message)}", e);
        }
        return bytes;
    }

    /// <summary>The UTF-8 text of <paramref name="path"/>, bounded by <paramref name="maxBytes"/> (see <see cref="ReadAllBytes"/>).</summary>
    public static string ReadAllText(string path, long maxBytes, string what)
    {
        var bytes = ReadAllBytes(path, maxBytes, what);
        int bom = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        return System.Text.Encoding.UTF8.GetString(bytes, bom, bytes.Length - bom);
    }

    /// <summary>
    /// True for a regular file. Character devices report length 0 yet yield bytes, and pipes cannot seek;
    /// reading one byte past a zero length tells them apart from an empty file without a system call.
    /// </summary>
    private static bool IsRegular(FileStream stream)
    {
        if (!stream.CanSeek) return false;
        if (stream.Length > 0) return true;
        bool yields = stream.ReadByte() >= 0;
        stream.Position = 0;
        return !yields;
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
