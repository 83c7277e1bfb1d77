package io.memsession.serializer.kryo;

import org.joda.time.DateTime;
import org.joda.time.Interval;
import org.joda.time.LocalDate;
import org.joda.time.LocalDateTime;

import de.javakaffee.kryoserializers.jodatime.JodaDateTimeSerializer;
import de.javakaffee.kryoserializers.jodatime.JodaIntervalSerializer;
import de.javakaffee.kryoserializers.jodatime.JodaLocalDateSerializer;
import de.javakaffee.kryoserializers.jodatime.JodaLocalDateTimeSerializer;

/**
 * msm's {@code JodaDateTimeRegistration}: four registrations, in its order, of kryo-serializers' Joda serializers.
 * Their format is the same in kryo-serializers 0.41 (Kryo 4) and 0.45 (Kryo 5, inside this jar): variable-length
 * numbers and strings only, which the two Kryos write alike. In a class of its own because it links against
 * joda-time, which is only there when the converter is configured.
 */
final class MsmJodaFormats {

    private MsmJodaFormats() {
    }

    static void registerOn(MsmKryoReader reader) {
        JodaIntervalSerializer intervals = new JodaIntervalSerializer();
        JodaDateTimeSerializer dateTimes = new JodaDateTimeSerializer();
        JodaLocalDateTimeSerializer localDateTimes = new JodaLocalDateTimeSerializer();
        JodaLocalDateSerializer localDates = new JodaLocalDateSerializer();
        reader.register(Interval.class, (in, type) -> intervals.read(null, in.input, Interval.class));
        reader.register(DateTime.class, (in, type) -> dateTimes.read(null, in.input, DateTime.class));
        reader.register(LocalDateTime.class,
                (in, type) -> localDateTimes.read(null, in.input, LocalDateTime.class));
        reader.register(LocalDate.class, (in, type) -> localDates.read(null, in.input, LocalDate.class));
    }
}
