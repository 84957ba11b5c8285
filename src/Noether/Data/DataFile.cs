using System.IO.Compression;

namespace Noether.Data;

/// <summary>
/// Reads a data file whole, decompressing it when it starts with the gzip magic bytes 1f 8b, so
/// every loader accepts both "x" and "x.gz" without trusting the file name.
/// </summary>
public static class DataFile
{
    /// <summary>True when <paramref name="head"/> starts with the gzip magic bytes 1f 8b.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;

    /// <summary>
    /// The (decompressed) bytes of <paramref name="path"/>. A missing file or a corrupt gzip stream is a
    /// <see cref="DataException"/> whose message ends with <paramref name="howToGet"/>.
    /// </summary>
    public static byte[] ReadAllBytes(string path, string howToGet)
    {
        if (!File.Exists(path))
            throw new DataException($"{path}: file not found; {howToGet}", path);
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"{path}: cannot be read ({e.Message}); {howToGet}", path, e);
        }
        if (!IsGzip(raw)) return raw;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream(raw.Length * 4);
            gz.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataException($"{path}: starts with the gzip magic 1f 8b but the gzip stream is corrupt or truncated ({e.Message}); expected a complete gzip file; {howToGet}", path, e);
        }
    }

    /// <summary>The text of <paramref name="path"/> as UTF-8, decompressed when gzip.</summary>
    public static string ReadAllText(string path, string howToGet) =>
        System.Text.Encoding.UTF8.GetString(ReadAllBytes(path, howToGet));
}
