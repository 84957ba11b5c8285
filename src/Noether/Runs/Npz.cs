using System.IO.Compression;
using Noether.Tensors;

namespace Noether.Runs;

/// <summary>
/// Reads NumPy .npz archives (np.savez / np.savez_compressed): a zip file of .npy entries, one per named
/// array. Each entry is read through <see cref="Npy"/> with the same bounds; the entry's name without
/// ".npy" is the array's name. Anything else in the archive, or a corrupt archive, is one line naming it.
/// </summary>
public static class Npz
{
    /// <summary>More entries than this is not an archive of arrays a probe reads.</summary>
    public const int MaxEntries = 4096;

    /// <summary>True when <paramref name="head"/> starts with the zip local-header magic "PK\x03\x04" (or an empty zip's "PK\x05\x06").</summary>
    public static bool IsZip(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));

    /// <summary>Every array of the archive, in archive order, converted to <typeparamref name="T"/>.</summary>
    public static IReadOnlyList<(string Name, Tensor<T> Array)> ReadAll<T>(string path) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        WithArchive(path, archive => Entries(path, archive).Select(e => (e.Name, ReadEntry<T>(path, e.Entry))).ToList());

    /// <summary>
    /// The array called <paramref name="name"/>, or the only array when <paramref name="name"/> is null;
    /// a missing name (or several arrays and no name) is one line listing the names there are.
    /// </summary>
    public static Tensor<T> Read<T>(string path, string? name) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        WithArchive(path, archive =>
        {
            var entries = Entries(path, archive);
            string names = string.Join(", ", entries.Select(e => e.Name));
            if (name is null)
                return entries.Count == 1 ? ReadEntry<T>(path, entries[0].Entry)
                    : throw new NpyFormatException($"{path}: holds {entries.Count} arrays ({names}); name one as {path}:NAME");
            var match = entries.FirstOrDefault(e => e.Name == name);
            return match.Entry is null
                ? throw new NpyFormatException($"{path}: no array named '{name}'; expected one of: {names}")
                : ReadEntry<T>(path, match.Entry);
        });

    private static TResult WithArchive<TResult>(string path, Func<ZipArchive, TResult> read)
    {
        FileStream stream;
        try { stream = BoundedFile.OpenRead(path, "NPZ file"); }
        catch (UnreadableFileException e) { throw new NpyFormatException(e.Message); }
        using (stream)
        {
            try
            {
                using var archive = new ZipArchive(stream, ZipArchiveMode.Read);
                return read(archive);
            }
            catch (InvalidDataException e) { throw new NpyFormatException($"{path}: not a valid .npz (zip) archive: {e.Message.Split('\n')[0]}"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new NpyFormatException($"{path}: cannot be read as an .npz archive: {e.Message.Split('\n')[0]}");
            }
        }
    }

    private static List<(string Name, ZipArchiveEntry Entry)> Entries(string path, ZipArchive archive)
    {
        if (archive.Entries.Count > MaxEntries)
            throw new NpyFormatException($"{path}: {archive.Entries.Count} entries, expected at most {MaxEntries} arrays");
        var list = new List<(string, ZipArchiveEntry)>();
        foreach (var e in archive.Entries)
        {
            if (!e.FullName.EndsWith(".npy", StringComparison.Ordinal) || e.FullName.Length == 4)
                throw new NpyFormatException($"{path}: entry '{e.FullName}' is not a .npy array; expected an archive written by np.savez");
            list.Add((e.FullName[..^4], e));
        }
        if (list.Count == 0) throw new NpyFormatException($"{path}: the archive holds no arrays");
        return list;
    }

    private static Tensor<T> ReadEntry<T>(string path, ZipArchiveEntry entry) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (entry.Length > MemoryLimit.Bytes)
            throw new NpyFormatException($"{path}:{entry.FullName}: {MemoryLimit.Text(entry.Length)} uncompressed, more than the memory limit of {MemoryLimit.Text(MemoryLimit.Bytes)} ({MemoryLimit.Variable})");
        using var s = entry.Open();
        return Npy.Read<T>(s, entry.Length, $"{path}:{entry.FullName}");
    }
}
