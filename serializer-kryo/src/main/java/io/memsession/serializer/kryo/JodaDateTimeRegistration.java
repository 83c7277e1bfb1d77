package io.memsession.serializer.kryo;

import org.joda.time.DateTime;
import org.joda.time.Interval;
import org.joda.time.LocalDate;
import org.joda.time.LocalDateTime;
import org.joda.time.LocalTime;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import de.javakaffee.kryoserializers.jodatime.JodaDateTimeSerializer;
import de.javakaffee.kryoserializers.jodatime.JodaLocalDateSerializer;
import de.javakaffee.kryoserializers.jodatime.JodaLocalDateTimeSerializer;
import de.javakaffee.kryoserializers.jodatime.JodaLocalTimeSerializer;

/**
 * {@code customConverter} for Joda-Time: its value types are written as millis, chronology and zone id (by
 * kryo-serializers' Joda serializers) instead of field by field through Joda's internal chronology objects.
 * {@code Interval} has a serializer of its own here, because kryo-serializers' writes no time zone: an interval
 * would come back in the default zone.
 *
 * <p>This class is in the Kryo jar in Tomcat's {@code lib/} and links against Joda's classes, so joda-time's jar
 * must be in {@code lib/} too, and not in the web application: a second copy in {@code WEB-INF/lib} would give the
 * application other {@code DateTime} classes than the ones registered here.
 */
public final class JodaDateTimeRegistration implements KryoCustomization {

    @Override
    public void customize(Kryo kryo) {
        // Default serializers rather than registrations: the class name goes into the stored data, so sessions stay
        // readable when converters are added, removed or reordered, which would shift registration ids.
        kryo.addDefaultSerializer(DateTime.class, new JodaDateTimeSerializer());
        kryo.addDefaultSerializer(LocalDate.class, new JodaLocalDateSerializer());
        kryo.addDefaultSerializer(LocalDateTime.class, new JodaLocalDateTimeSerializer());
        kryo.addDefaultSerializer(LocalTime.class, new JodaLocalTimeSerializer());
        kryo.addDefaultSerializer(Interval.class, new IntervalSerializer());
    }

    /** Start and end as {@code DateTime}s, so the interval keeps its zone and chronology. */
    private static final class IntervalSerializer extends Serializer<Interval> {

        private final JodaDateTimeSerializer dateTimes = new JodaDateTimeSerializer();

        IntervalSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, Interval interval) {
            dateTimes.write(kryo, output, interval.getStart());
            output.writeLong(interval.getEndMillis(), true);
        }

        @Override
        public Interval read(Kryo kryo, Input input, Class<? extends Interval> type) {
            DateTime start = dateTimes.read(kryo, input, DateTime.class);
            return new Interval(start.getMillis(), input.readLong(true), start.getChronology());
        }
    }
}
