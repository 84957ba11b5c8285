using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Noether.Training;

/// <summary>
/// The contents of a checkpoint: named arrays of numbers (float32/64, int32/64, uint64, bytes) and
/// strings, stored bit for bit so that a resumed run continues exactly where the saved one was.
/// Written atomically (temporary file, flushed to disk, renamed), with a checksum so that a damaged
/// file is refused instead of resumed from.
/// </summary>
public sealed class CheckpointState
{
    private static readonly byte[] Magic = "NOETHCK1"u8.ToArray();
    private readonly Dictionary<string, (string Tag, byte[] Bytes)> _entries = new(StringComparer.Ordinal);

    public IEnumerable<string> Names => _entries.Keys;
    public bool Contains(string name) => _entries.ContainsKey(name);

    public void Put<T>(string name, ReadOnlySpan<T> values) where T : unmanaged =>
        _entries[name] = (Tag<T>(), MemoryMarshal.AsBytes(values).ToArray());

    public void Put<T>(string name, T[] values) where T : unmanaged => Put(name, (ReadOnlySpan<T>)values);
    public void Put(string name, long value) => Put(name, [value]);
    public void Put(string name, double value) => Put(name, [value]);
    public void Put(string name, string value) => _entries[name] = ("s", Encoding.UTF8.GetBytes(value));

    public T[] Get<T>(string name) where T : unmanaged => MemoryMarshal.Cast<byte, T>(Entry(name, Tag<T>())).ToArray();

    /// <summary>Copies a saved array into <paramref name="destination"/>, which must have its length.</summary>
    public void CopyTo<T>(string name, Span<T> destination) where T : unmanaged
    {
        var values = MemoryMarshal.Cast<byte, T>(Entry(name, Tag<T>()));
        if (values.Length != destination.Length)
            throw new InvalidDataException($"checkpoint entry '{name}' holds {values.Length} values, expected {destination.Length}");
        values.CopyTo(destination);
    }

    public long GetInt64(string name) => Single<long>(name);
    public double GetDouble(string name) => Single<double>(name);
    public string GetString(string name) => Encoding.UTF8.GetString(Entry(name, "s"));

    /// <summary>The entries under <paramref name="prefix"/>, with the prefix removed.</summary>
    public CheckpointState Sub(string prefix)
    {
        var sub = new CheckpointState();
        foreach (var (name, entry) in _entries)
            if (name.StartsWith(prefix, StringComparison.Ordinal)) sub._entries[name[prefix.Length..]] = entry;
        return sub;
    }

    /// <summary>Adds every entry of <paramref name="other"/> under <paramref name="prefix"/>.</summary>
    public void PutAll(string prefix, CheckpointState other)
    {
        foreach (var (name, entry) in other._entries) _entries[prefix + name] = entry;
    }

    private T Single<T>(string name) where T : unmanaged
    {
        var v = MemoryMarshal.Cast<byte, T>(Entry(name, Tag<T>()));
        return v.Length == 1 ? v[0] : throw new InvalidDataException($"checkpoint entry '{name}' holds {v.Length} values, expected one");
    }

    private ReadOnlySpan<byte> Entry(string name, string tag)
    {
        if (!_entries.TryGetValue(name, out var e)) throw new InvalidDataException($"checkpoint has no entry '{name}'");
        if (e.Tag != tag) throw new InvalidDataException($"checkpoint entry '{name}' is of type {e.Tag}, expected {tag}");
        return e.Bytes;
    }

    private static string Tag<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? "f4" : typeof(T) == typeof(double) ? "f8" :
        typeof(T) == typeof(int) ? "i4" : typeof(T) == typeof(long) ? "i8" :
        typeof(T) == typeof(ulong) ? "u8" : typeof(T) == typeof(byte) ? "u1" :
        throw new ArgumentException($"checkpoint: element type {typeof(T).Name} is not stored; use float, double, int, long, ulong or byte");

    /// <summary>Writes the checkpoint so that readers see the old file or the whole new one, never a part.</summary>
    public void Write(string path)
    {
        var payload = new MemoryStream();
        Span<byte> word = stackalloc byte[8];
        payload.Write(Magic);
        BinaryPrimitives.WriteInt64LittleEndian(word, _entries.Count); payload.Write(word);
        foreach (var (name, (tag, bytes)) in _entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            foreach (var part in new[] { Encoding.UTF8.GetBytes(name), Encoding.ASCII.GetBytes(tag), bytes })
            {
                BinaryPrimitives.WriteInt64LittleEndian(word, part.Length); payload.Write(word);
                payload.Write(part);
            }
        }
        var hash = new Fnv64();
        hash.Add(payload.GetBuffer().AsSpan(0, (int)payload.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(word, hash.Value);
        payload.Write(word);

        string tmp = path + ".tmp-" + Environment.ProcessId;
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(payload.GetBuffer().AsSpan(0, (int)payload.Length));
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    public static CheckpointState Read(string path)
    {
        byte[] data;
        try { data = Noether.Runs.BoundedFile.ReadAllBytes(path, Noether.Runs.MemoryLimit.Bytes, "checkpoint"); }
        catch (Noether.Runs.UnreadableFileException e) { throw new InvalidDataException(e.Message, e); }
        string Bad(string what) => $"{path}: not a valid Noether checkpoint ({what})";
        if (data.Length < Magic.Length + 16 || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic)) throw new InvalidDataException(Bad("bad magic"));
        var hash = new Fnv64();
        hash.Add(data.AsSpan(0, data.Length - 8));
        if (hash.Value != BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(data.Length - 8))) throw new InvalidDataException(Bad("checksum mismatch"));
        var state = new CheckpointState();
        int at = Magic.Length;
        long count = ReadLength();
        for (long i = 0; i < count; i++)
        {
            string name = Encoding.UTF8.GetString(Part());
            string tag = Encoding.ASCII.GetString(Part());
            state._entries[name] = (tag, Part().ToArray());
        }
        return state;

        long ReadLength()
        {
            if (at + 8 > data.Length - 8) throw new InvalidDataException(Bad("truncated"));
            long n = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(at));
            at += 8;
            return n;
        }
        ReadOnlySpan<byte> Part()
        {
            long n = ReadLength();
            if (n < 0 || at + n > data.Length - 8) throw new InvalidDataException(Bad("truncated"));
            var span = data.AsSpan(at, (int)n);
            at += (int)n;
            return span;
        }
    }

    /// <summary>FNV-1a over 64-bit words (the tail bytes one by one), over the whole file at once: detects damaged files, not adversaries.</summary>
    private sealed class Fnv64
    {
        private const ulong Prime = 1099511628211UL;
        public ulong Value { get; private set; } = 14695981039346656037UL;

        public void Add(ReadOnlySpan<byte> bytes)
        {
            ulong h = Value;
            var words = MemoryMarshal.Cast<byte, ulong>(bytes);
            foreach (var w in words) { h ^= w; h *= Prime; }
            for (int i = words.Length * 8; i < bytes.Length; i++) { h ^= bytes[i]; h *= Prime; }
            Value = h;
        }
    }
}
