using System.IO.Compression;
using Noether.Runs;

namespace Noether.Data;

/// <summary>
/// Opens data files, decompressing them when they start with the gzip magic bytes 1f 8b, so every loader
/// accepts both "x" and "x.gz" without trusting the file name. Reads are bounded: a directory or device is
/// refused, and decompression never yields more than the caller's limit, so a small malicious .gz cannot
/// inflate into gigabytes.
/// </summary>
public static class DataFile
{
    /// <summary>Largest decompressed text file (CSV, JSON) accepted; the real ones are a few megabytes.</summary>
    public const long TextLimit = 256L << 20;

    /// <summary>Deflate cannot expand data by more than about 1032:1; a header promising more than this is a lie.</summary>
    public const long MaxDeflateRatio = 1100;

    /// <summary>True when <paramref name="head"/> starts with the gzip magic bytes 1f 8b.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;

    /// <summary>
    /// A readable stream of the (decompressed) contents and the most bytes it can hold: the file size, or
    /// the file size times <see cref="MaxDeflateRatio"/> for gzip. Missing, directory, device and unreadable
    /// files are a <see cref="DataException"/> ending with <paramref name="howToGet"/>.
    /// </summary>
    public static (Stream Stream, long MaxLength, bool Compressed) Open(string path, string howToGet)
    {
        FileStream file;
        try { file = BoundedFile.OpenRead(path, "data file"); }
        catch (UnreadableFileException e)
        {
            string what = File.Exists(path) || Directory.Exists(path) ? e.Message : $"{path}: file not found";
            throw new DataException($"{what}; {howToGet}", path, e);
        }
        Span<byte> head = stackalloc byte[2];
        int n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        if (!IsGzip(head[..n])) return (file, file.Length, false);
        return (new GZipStream(file, CompressionMode.Decompress), file.Length * MaxDeflateRatio, true);
    }

    /// <summary>
    /// Fills the buffer exactly; a stream that ends early, is corrupt gzip, or fails to
    /// read is a one-line <see cref="DataException"/> naming <paramref name="path"/>.
    /// </summary>
    public static void ReadExactly(Stream stream, Span<byte> into, string path, string what, string howToGet)
    {
        int got = 0;
        try
        {
            while (got < into.Length)
            {
                int n = stream.Read(into[got..]);
                if (n == 0) break;
                got += n;
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DataException($"{path}: the gzip stream is corrupt or the file cannot be read ({e.Message.Split('\n')[0]}); expected a complete file; {howToGet}", path, e);
        }
        if (got < into.Length)
            throw new DataException($"{path}: {got} bytes of {what}, expected {into.Length} (file truncated); {howToGet}", path);
    }

    /// <summary>True when <paramref name="stream"/> has no byte left (a corrupt gzip tail counts as left).</summary>
    public static bool AtEnd(Stream stream, string path, string howToGet)
    {
        var one = new byte[1];
        try { return stream.Read(one, 0, 1) == 0; }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DataException($"{path}: the gzip stream is corrupt after the data ({e.Message.Split('\n')[0]}); expected a complete file; {howToGet}", path, e);
        }
    }

    /// <summary>
    /// The (decompressed) bytes of <paramref name="path"/>, at most <paramref name="maxBytes"/>; more is a
    /// one-line <see cref="DataException"/>, as are a missing file and a corrupt gzip stream.
    /// </summary>
    public static byte[] ReadAllBytes(string path, string howToGet, long maxBytes = TextLimit)
    {
        var (stream, maxLength, compressed) = Open(path, howToGet);
        using (stream)
        {
            if (!compressed && maxLength > maxBytes)
                throw new DataException($"{path}: {maxLength} bytes, more than the {maxBytes} this reader accepts; {howToGet}", path);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            while (true)
            {
                int n;
                try { n = stream.Read(buffer); }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    throw new DataException($"{path}: starts with the gzip magic 1f 8b but the gzip stream is corrupt or truncated ({e.Message.Split('\n')[0]}); expected a complete gzip file; {howToGet}", path, e);
                }
                if (n == 0) break;
                if (output.Length + n > maxBytes)
                    throw new DataException($"{path}: decompresses to more than {maxBytes} bytes, more than this reader accepts; expected a data file of the documented size; {howToGet}", path);
                output.Write(buffer, 0, n);
            }
            return output.ToArray();
        }
    }

    /// <summary>The text of <paramref name="path"/> as UTF-8, decompressed when gzip, bounded by <see cref="TextLimit"/>.</summary>
    public static string ReadAllText(string path, string howToGet) =>
        System.Text.Encoding.UTF8.GetString(ReadAllBytes(path, howToGet));
}
