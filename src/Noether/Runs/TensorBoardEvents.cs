using System.Buffers.Binary;
using System.Text;

namespace Noether.Runs;

/// <summary>
/// One TensorBoard event file (events.out.tfevents.&lt;time&gt;.&lt;host&gt;): a TFRecord stream of
/// <c>tensorflow.Event</c> protos, the first carrying the file version "brain.Event:2", the rest one
/// scalar summary each. The protos are encoded by hand (the schema is four fields), so no protobuf
/// or TensorFlow package is needed. Fields used, from tensorflow/core/util/event.proto and
/// summary.proto: Event{1 wall_time double, 2 step int64, 3 file_version string, 5 summary Summary},
/// Summary{1 repeated Value}, Value{1 tag string, 2 simple_value float}.
/// </summary>
public sealed class TensorBoardEvents : IDisposable
{
    public const string FileVersion = "brain.Event:2";
    private readonly TfRecordWriter _records;

    private TensorBoardEvents(string path, double wallTime)
    {
        Path = path;
        _records = new TfRecordWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write));
        _records.Write(Event(wallTime, 0, w => w.String(3, FileVersion)));
    }

    public string Path { get; }

    /// <summary>Creates a new event file in <paramref name="directory"/>, named as TensorBoard expects.</summary>
    public static TensorBoardEvents Create(string directory, DateTimeOffset wallTime)
    {
        Directory.CreateDirectory(directory);
        string host = string.Concat(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
        string path = System.IO.Path.Combine(directory, $"events.out.tfevents.{wallTime.ToUnixTimeSeconds()}.{host}");
        // A resumed run adds a file beside the earlier one; TensorBoard reads every file of the folder.
        for (int n = 1; File.Exists(path); n++) path = System.IO.Path.Combine(directory, $"events.out.tfevents.{wallTime.ToUnixTimeSeconds()}.{host}.{n}");
        return new TensorBoardEvents(path, wallTime.ToUnixTimeMilliseconds() / 1000.0);
    }

    /// <summary>Appends one scalar; TensorBoard stores scalars as float32, so the value is rounded to it.</summary>
    public void Scalar(string tag, long step, double value, double wallTime) =>
        _records.Write(Event(wallTime, step, w => w.Message(5, summary => summary.Message(1, v =>
        {
            v.String(1, tag);
            v.Float(2, (float)value);
        }))));

    /// <summary>Appends one serialized <c>tensorflow.Event</c> (e.g. hparams plugin data, <see cref="TensorBoardHparams"/>).</summary>
    public void Raw(byte[] serializedEvent) => _records.Write(serializedEvent);

    /// <summary>Pushes the scalars written so far to disk, so TensorBoard shows them while the run goes on.</summary>
    public void Flush() => _records.Flush();

    public void Dispose() => _records.Dispose();

    private static byte[] Event(double wallTime, long step, Action<ProtoWriter> body)
    {
        var w = new ProtoWriter();
        w.Double(1, wallTime);
        if (step != 0) w.Varint(2, (ulong)step);
        body(w);
        return w.ToArray();
    }

    /// <summary>The protobuf wire format for the four field kinds an event needs.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _out = new();

        public void Double(int field, double v)
        {
            Tag(field, 1);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, v);
            _out.Write(b);
        }

        public void Float(int field, float v)
        {
            Tag(field, 5);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, v);
            _out.Write(b);
        }

        public void Varint(int field, ulong v) { Tag(field, 0); RawVarint(v); }

        public void String(int field, string s) => Bytes(field, Encoding.UTF8.GetBytes(s));

        public void Message(int field, Action<ProtoWriter> body)
        {
            var inner = new ProtoWriter();
            body(inner);
            Bytes(field, inner.ToArray());
        }

        public byte[] ToArray() => _out.ToArray();

        private void Bytes(int field, byte[] data) { Tag(field, 2); RawVarint((ulong)data.Length); _out.Write(data); }

        private void Tag(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

        private void RawVarint(ulong v)
        {
            while (v >= 0x80) { _out.WriteByte((byte)(v | 0x80)); v >>= 7; }
            _out.WriteByte((byte)v);
        }
    }
}
